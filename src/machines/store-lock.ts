// One process at a time per store: an exclusive flock(2) (from the addon;
// Node has no flock). The kernel drops the lock when its holder dies, so a
// crashed daemon never wedges the store.
//
// The lock is on the store directory itself (flock on an O_RDONLY |
// O_DIRECTORY descriptor), not on a lock file. A lock on a file is a lock on
// that inode: once someone deletes or replaces the file, the next opener
// creates a fresh inode and locks it while the first holder still runs, and
// both write. Re-checking the inode after locking (fstat fd vs stat path)
// only closes the window between open and flock; it cannot see a deletion
// that comes later. The directory holds the machines, so it cannot be
// swapped without the store going with it. (flock on a directory needs a
// local filesystem; over NFS the kernel emulates flock with POSIX locks,
// which a read-only descriptor cannot take. The store is local state.)
// The lock file is kept only to record the holder's pid for tools that
// cannot read /proc/locks.
import { closeSync, fstatSync, ftruncateSync, openSync, constants as fs, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { abortError } from '../common/errors.js';
import { native } from '../native.js';
import { StoreLockedError } from './errors.js';

export interface LockWait {
  /** Keep retrying this long (ms) while another holder has the lock; 0 fails at once. */
  waitMs: number;
  signal?: AbortSignal | undefined;
}

// Retry delays: short at first (a CLI write holds the lock for milliseconds),
// doubling to a ceiling, with jitter so that waiters do not retry in step.
const FIRST_RETRY_MS = 2;
const MAX_RETRY_MS = 100;

export class StoreLock {
  private constructor(
    readonly baseDir: string,
    readonly pidFile: string,
    private fd: number,
  ) {}

  /**
   * Takes the lock on `baseDir`, retrying for up to `wait.waitMs`; throws
   * StoreLockedError naming the holder's pid when it stays taken, or an
   * AbortError when aborted. Never blocks the event loop: each try is a
   * non-blocking flock.
   */
  static async acquire(baseDir: string, pidFile: string, wait: LockWait): Promise<StoreLock> {
    const { waitMs, signal } = wait;
    if (signal?.aborted) throw abortError(signal);
    const fd = openSync(baseDir, fs.O_RDONLY | fs.O_DIRECTORY); // libuv adds O_CLOEXEC
    let taken = false;
    try {
      const started = performance.now();
      let delay = FIRST_RETRY_MS;
      while (!(taken = native.sys.tryLock(fd, true))) {
        const left = waitMs - (performance.now() - started);
        if (left <= 0) {
          const holder = (await holderFromProcLocks(fd)) ?? (await holderFromFile(pidFile));
          throw new StoreLockedError(baseDir, pidFile, holder, waitMs);
        }
        await pause(Math.min(left, delay * (0.5 + Math.random())), signal);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
      recordHolder(pidFile);
      return new StoreLock(baseDir, pidFile, fd);
    } catch (err) {
      if (taken) native.sys.unlock(fd);
      throw err;
    } finally {
      if (!taken) closeSync(fd);
    }
  }

  release(): void {
    if (this.fd < 0) return;
    native.sys.unlock(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(Math.max(1, Math.ceil(ms)), undefined, signal ? { signal } : undefined);
  } catch (err) {
    if (signal?.aborted) throw abortError(signal);
    throw err;
  }
}

// Who holds it, for people and tools that cannot read /proc/locks. O_NOFOLLOW:
// a symlink planted in the store must not redirect this write.
function recordHolder(pidFile: string): void {
  const fd = openSync(pidFile, fs.O_RDWR | fs.O_CREAT | fs.O_NOFOLLOW, 0o600);
  try {
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`, 0);
  } finally {
    closeSync(fd);
  }
}

// /proc/locks: "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF" — the pid
// is the kernel's record of the holder; devices are major:minor in hex.
async function holderFromProcLocks(fd: number): Promise<number | null> {
  let text: string;
  try {
    text = await readFile('/proc/locks', 'utf8');
  } catch {
    return null;
  }
  const st = fstatSync(fd, { bigint: true });
  const dev = st.dev;
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  const wanted = `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}:${st.ino}`;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === 'FLOCK' && fields[5] === wanted) {
      const pid = Number(fields[4]);
      if (Number.isInteger(pid) && pid > 0) return pid;
    }
  }
  return null;
}

async function holderFromFile(pidFile: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
