// MachineStore: one TOML config per machine at <baseDir>/<name>/config.toml,
// written atomically and durably, locked against a second process, and able
// to tell after a crash which machines were running when the daemon died.
import { randomUUID } from 'node:crypto';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkLogger, silentLogger, type Logger } from '../logger.js';
import { badArg, checkFunction, checkInteger, checkObject, checkOptions } from '../common/args.js';
import { abortError, describeValue, makeError } from '../common/errors.js';
import { AsyncCloseResource, signalBeforeOpen } from '../common/lifecycle.js';
import { DEFAULT_MAX_CONFIG_BYTES, MAX_CONFIG_BYTES_LIMIT, readConfigFiles } from './config-files.js';
import { decodeConfig, encodeConfig, integerFieldProblem, type LoadedMachine, type MachineConfig } from './config.js';
import { ensureDirectory, removeStaleTempFiles, syncDirectory, writeFileDurable } from './durable-file.js';
import { ImmutableFieldError, MachineConfigError, MachineExistsError, MachineNotFoundError, StoreClosedError } from './errors.js';
import { KeyedMutex } from '../common/keyed-mutex.js';
import { parseMachineName, type MachineName } from './name.js';
import { isLiveState, type LiveState } from './state.js';
import { StoreLock } from './store-lock.js';

export interface MachineStoreOptions {
  /** fsync every write (default true). False skips the fsyncs: tests, tmpfs. */
  durable?: boolean;
  logger?: Logger;
  /**
   * Largest config file loaded, in bytes (default 1 MiB); a larger one is a
   * MachineConfigError with code ERR_MACHINE_CONFIG_TOO_LARGE.
   */
  maxConfigBytes?: number;
  /**
   * How long `open()` keeps retrying while another process holds the store,
   * in ms (default 0: fail at once with StoreLockedError). Up to 2^31-1.
   */
  lockWaitMs?: number;
  /**
   * Aborts an `open()` (it rejects with an AbortError, the signal's reason as
   * its `cause`, and holds nothing); once open, closes the store.
   */
  signal?: AbortSignal;
}

/** A machine whose config could not be loaded, and why. */
export interface MachineLoadFailure {
  name: string;
  path: string;
  error: MachineConfigError | Error;
}

export interface LoadAllResult {
  machines: LoadedMachine[];
  errors: MachineLoadFailure[];
}

/** What `create()` needs; the store fills in state, vmId and createdAt when absent. */
export type NewMachine = Omit<MachineConfig, 'name' | 'state'> & { name: string; state?: LiveState };

const CONFIG_FILE = 'config.toml';
const LOCK_FILE = '.hostwire-machines.lock';

/**
 * The store lock is a file descriptor, nothing on the event loop: ref() and
 * unref() are no-ops. close() releases the lock.
 */
export class MachineStore extends AsyncCloseResource {
  readonly baseDir: string;
  readonly #durable: boolean;
  readonly #logger: Logger;
  readonly #maxConfigBytes: number;
  readonly #mutex = new KeyedMutex();
  #lock: StoreLock | null;

  private constructor(baseDir: string, lock: StoreLock, durable: boolean, logger: Logger, maxConfigBytes: number) {
    super();
    this.baseDir = baseDir;
    this.#lock = lock;
    this.#durable = durable;
    this.#logger = logger;
    this.#maxConfigBytes = maxConfigBytes;
  }

  /**
   * Opens (creating if needed, mode 0700) the store at `baseDir` and takes its
   * lock. While another process holds it, retries for up to `lockWaitMs`
   * (default 0), then throws StoreLockedError naming the holder's pid.
   * Temp files left by a writer that was killed are removed.
   */
  static async open(baseDir: string, options: MachineStoreOptions = {}): Promise<MachineStore> {
    if (typeof baseDir !== 'string' || baseDir === '') throw badArg('baseDir', 'a directory path', baseDir, 'string');
    checkOptions(options);
    const durable = options.durable ?? true;
    const logger = checkLogger(options.logger ?? silentLogger);
    const maxConfigBytes = checkInteger('maxConfigBytes', options.maxConfigBytes ?? DEFAULT_MAX_CONFIG_BYTES, 1, MAX_CONFIG_BYTES_LIMIT);
    const waitMs = checkInteger('lockWaitMs', options.lockWaitMs ?? 0, 0, 2 ** 31 - 1);
    const signal = signalBeforeOpen(options.signal);
    const dir = path.resolve(baseDir);
    await ensureDirectory(dir, 0o700, { durable });
    const lock = await StoreLock.acquire(dir, path.join(dir, LOCK_FILE), { waitMs, signal });
    const store = new MachineStore(dir, lock, durable, logger, maxConfigBytes);
    try {
      await store.#sweepTempFiles();
      if (signal?.aborted) throw abortError(signal); // aborted while opening: nothing stays open
    } catch (err) {
      lock.release();
      throw err;
    }
    store.closeOnAbort(signal);
    return store;
  }

  // Under the lock no other writer exists, so any temp file is a killed
  // writer's leftover. One readdir per machine, all in parallel.
  async #sweepTempFiles(): Promise<void> {
    const entries = await readdir(this.baseDir, { withFileTypes: true });
    await Promise.all(
      entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map(async (e) => {
          const removed = await removeStaleTempFiles(path.join(this.baseDir, e.name));
          if (removed.length > 0) this.#logger.info({ machine: e.name, removed }, 'removed temp files left by an interrupted write');
        }),
    );
  }

  /** Path of a machine's config file. */
  configPath(name: string): string {
    return path.join(this.#dir(parseMachineName(name)), CONFIG_FILE);
  }

  /** Names of the machines that have a config file, sorted. */
  async list(): Promise<MachineName[]> {
    this.#assertOpen();
    const names: MachineName[] = [];
    for (const entry of await readdir(this.baseDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      let name: MachineName;
      try {
        name = parseMachineName(entry.name);
      } catch {
        continue; // reported by loadAll(), which must not drop anything silently
      }
      if (await exists(path.join(this.baseDir, name, CONFIG_FILE))) names.push(name);
    }
    return names.sort();
  }

  /**
   * Loads one machine; throws MachineNotFoundError or MachineConfigError
   * (also for a config or machine directory that is a symlink, a config that
   * is not a regular file, or one larger than `maxConfigBytes`).
   */
  async load(name: string): Promise<LoadedMachine> {
    this.#assertOpen();
    const machine = parseMachineName(name);
    const file = this.configPath(machine);
    const content = (await readConfigFiles(this.baseDir, [configRelativePath(machine)], this.#maxConfigBytes))[0]!;
    if (!Buffer.isBuffer(content)) {
      if (content.code === 'ENOENT') throw new MachineNotFoundError(machine, file);
      throw content;
    }
    return decodeLoaded(machine, file, content.toString('utf8'));
  }

  /**
   * Loads every machine. A config that cannot be loaded is returned in
   * `errors` with its path and reason, never dropped; so is a directory whose
   * name is not a valid machine name, and a symlink where a machine directory
   * would be. All files are read in one native batch.
   */
  async loadAll(): Promise<LoadAllResult> {
    this.#assertOpen();
    const machines: LoadedMachine[] = [];
    const errors: MachineLoadFailure[] = [];
    const names: MachineName[] = [];
    for (const entry of await readdir(this.baseDir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const dir = path.join(this.baseDir, entry.name);
      if (entry.isSymbolicLink()) {
        const detail = 'is a symbolic link; the machine store does not follow symbolic links';
        errors.push({
          name: entry.name,
          path: dir,
          error: new MachineConfigError(dir, detail, null, null, { code: 'ERR_MACHINE_CONFIG_SYMLINK' }),
        });
        continue;
      }
      if (!entry.isDirectory()) continue;
      try {
        names.push(parseMachineName(entry.name));
      } catch (error) {
        errors.push({ name: entry.name, path: dir, error: error as Error });
      }
    }
    const files = names.map((name) => path.join(this.baseDir, name, CONFIG_FILE));
    const contents = await readConfigFiles(this.baseDir, names.map(configRelativePath), this.#maxConfigBytes);
    contents.forEach((content, i) => {
      const name = names[i]!;
      const file = files[i]!;
      if (!Buffer.isBuffer(content)) {
        // A directory without a config (e.g. quarantined) is not a machine.
        if (content.code !== 'ENOENT') errors.push({ name, path: (content as { path?: string }).path ?? file, error: content });
        return;
      }
      try {
        machines.push(decodeLoaded(name, file, content.toString('utf8')));
      } catch (error) {
        errors.push({ name, path: file, error: error as Error });
      }
    });
    machines.sort((a, b) => (a.config.name < b.config.name ? -1 : 1));
    errors.sort((a, b) => (a.name < b.name ? -1 : 1));
    return { machines, errors };
  }

  /** Creates a new machine; refuses a name already in use. */
  async create(machine: NewMachine): Promise<MachineConfig> {
    checkObject(machine, 'machine');
    const name = parseMachineName(machine.name);
    return this.#mutex.run(name, async () => {
      const file = this.configPath(name);
      if (await exists(file)) throw new MachineExistsError(name, file);
      const config: MachineConfig = {
        ...machine,
        name,
        state: machine.state ?? 'created',
        vmId: machine.vmId ?? randomUUID(),
        createdAt: machine.createdAt ?? new Date().toISOString(),
      };
      await this.#write(config);
      return config;
    });
  }

  /**
   * Writes a config as given (creating the machine if needed). `createdAt` is
   * filled in when absent. Prefer `update()` for changes to an existing machine.
   */
  async save(config: MachineConfig): Promise<MachineConfig> {
    checkObject(config, 'config');
    const name = parseMachineName(config.name);
    return this.#mutex.run(name, async () => {
      const complete = { ...config, name, createdAt: config.createdAt ?? new Date().toISOString() };
      await this.#write(complete);
      return complete;
    });
  }

  /**
   * One load → mutate → write, serialised with every other write to this
   * machine. `mutate` may change the config in place or return a new one.
   * `createdAt` never changes; `vmId` may be set once, never changed.
   */
  async update(name: string, mutate: (config: MachineConfig) => MachineConfig | void): Promise<MachineConfig> {
    const machine = parseMachineName(name);
    checkFunction('mutate', mutate);
    return this.#mutex.run(machine, async () => {
      const { config } = await this.load(machine);
      const before = { createdAt: config.createdAt, vmId: config.vmId, name: config.name };
      const next = mutate(config) ?? config;
      if (next.name !== before.name) throw new ImmutableFieldError(machine, 'name');
      if (next.createdAt !== before.createdAt) throw new ImmutableFieldError(machine, 'createdAt');
      if (before.vmId !== undefined && next.vmId !== before.vmId) throw new ImmutableFieldError(machine, 'vmId');
      if (!isLiveState(next.state))
        throw makeError(TypeError, 'ERR_INVALID_ARG_VALUE', `machine "${machine}": invalid state ${describeValue(next.state)}`);
      await this.#write(next);
      return next;
    });
  }

  updateState(name: string, state: LiveState): Promise<MachineConfig> {
    if (!isLiveState(state))
      return Promise.reject(makeError(TypeError, 'ERR_INVALID_ARG_VALUE', `invalid machine state ${describeValue(state)}`));
    return this.update(name, (c) => {
      c.state = state;
    });
  }

  /** Sets (or with null, clears) the machine's IP address. */
  updateIp(name: string, ipAddress: string | null): Promise<MachineConfig> {
    return this.update(name, (c) => {
      if (ipAddress === null) delete c.ipAddress;
      else c.ipAddress = ipAddress;
    });
  }

  /** Removes a machine's directory; MachineNotFoundError when there is none. */
  async remove(name: string): Promise<void> {
    const machine = parseMachineName(name);
    await this.#mutex.run(machine, async () => {
      this.#assertOpen();
      const dir = this.#dir(machine);
      if (!(await exists(dir))) throw new MachineNotFoundError(machine, dir);
      await rm(dir, { recursive: true });
      if (this.#durable) await syncDirectory(this.baseDir);
    });
  }

  /**
   * Machines persisted as running (the daemon died under them): each is
   * durably marked stopped, and the list is returned for the caller to act on.
   */
  async recoverInterrupted(): Promise<LoadedMachine[]> {
    const { machines } = await this.loadAll();
    const interrupted = machines.filter((m) => m.needsRecovery);
    for (const m of interrupted) {
      await this.updateState(m.config.name, 'stopped');
      this.#logger.warn({ machine: m.config.name }, 'machine was running when the daemon stopped; marked stopped');
    }
    return interrupted;
  }

  /**
   * Moves a config that cannot be loaded aside (config.toml.quarantined-<time>)
   * so the daemon can start; returns the new path. The file is kept for a person.
   */
  async quarantine(name: string): Promise<string> {
    const machine = parseMachineName(name);
    return this.#mutex.run(machine, async () => {
      this.#assertOpen();
      const file = this.configPath(machine);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const aside = `${file}.quarantined-${stamp}`;
      try {
        await rename(file, aside);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new MachineNotFoundError(machine, file);
        throw err;
      }
      if (this.#durable) await syncDirectory(path.dirname(file));
      this.#logger.warn({ machine, path: aside }, 'quarantined a machine config');
      return aside;
    });
  }

  protected async release(): Promise<void> {
    this.#lock?.release();
    this.#lock = null;
  }

  #dir(name: MachineName): string {
    return path.join(this.baseDir, name);
  }

  #assertOpen(): void {
    if (this.#lock === null) throw new StoreClosedError(this.baseDir);
  }

  async #write(config: MachineConfig): Promise<void> {
    this.#assertOpen();
    const file = this.configPath(config.name);
    // The integer rule, checked on the numbers themselves: encoded, 2^53 would read back as the float 9007199254740992.0.
    const numbers = integerFieldProblem(config);
    if (numbers !== null) throw new MachineConfigError(file, `refusing to write: ${numbers}`, null, null);
    const text = encodeConfig(config);
    // Never write what could not be loaded back: the decoder's rules are the only rules.
    try {
      decodeConfig(text, file);
    } catch (err) {
      if (!(err instanceof MachineConfigError)) throw err;
      throw new MachineConfigError(file, `refusing to write: ${err.detail}`, null, null);
    }
    const options = { durable: this.#durable };
    try {
      await writeFileDurable(file, text, options);
    } catch (err) {
      // A new machine: make its directory, then write. Existing ones skip the mkdir.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await ensureDirectory(this.#dir(config.name), 0o700, options);
      await writeFileDurable(file, text, options);
    }
  }
}

function configRelativePath(name: MachineName): string {
  return `${name}/${CONFIG_FILE}`;
}

function decodeLoaded(machine: MachineName, file: string, text: string): LoadedMachine {
  const { config, needsRecovery } = decodeConfig(text, file);
  if (config.name !== machine) {
    throw new MachineConfigError(file, `name: "${config.name}" does not match its directory "${machine}"`, null, null);
  }
  return { config, needsRecovery, path: file };
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
