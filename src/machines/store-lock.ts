// One process at a time per store: an exclusive flock(2) on a lock file in
// the store directory (from the addon; Node has no flock). The kernel drops
// the lock when its holder dies, so a crashed daemon never wedges the store.
import { closeSync, fstatSync, ftruncateSync, openSync, constants as fs, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { native } from '../native.js';
import { StoreLockedError } from './errors.js';

export class StoreLock {
  private constructor(
    readonly path: string,
    private fd: number,
  ) {}

  /** Takes the lock or throws StoreLockedError naming the holder's pid. */
  static async acquire(lockPath: string, baseDir: string): Promise<StoreLock> {
    const fd = openSync(lockPath, fs.O_RDWR | fs.O_CREAT, 0o600); // libuv adds O_CLOEXEC
    let taken = false;
    try {
      taken = native.sys.tryLock(fd, true);
      if (!taken) {
        const holder = (await holderFromProcLocks(fd)) ?? (await holderFromFile(lockPath));
        throw new StoreLockedError(baseDir, lockPath, holder);
      }
      // Record who holds it, for tools that cannot read /proc/locks.
      ftruncateSync(fd, 0);
      writeSync(fd, `${process.pid}\n`, 0);
      return new StoreLock(lockPath, fd);
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

async function holderFromFile(lockPath: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(lockPath, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
