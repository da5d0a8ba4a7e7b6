// Typed errors of the machine store. Each says what was wrong and where,
// and carries a stable `code` to branch on.
import { describeValue, HostwireError, HostwireTypeError } from '../common/errors.js';

/** Base of the store's errors: `name` is the class name, `code` is stable. */
export abstract class MachineStoreError extends HostwireError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A machine name that is not `^[a-z0-9][a-z0-9._-]{0,62}$` or contains `..`. */
export class InvalidMachineNameError extends HostwireTypeError {
  declare readonly code: 'ERR_INVALID_MACHINE_NAME';
  constructor(
    readonly input: unknown,
    reason: string,
  ) {
    super('ERR_INVALID_MACHINE_NAME', `invalid machine name ${describeValue(input)}: ${reason}`);
  }
}

/** What was wrong with a config file; `ERR_MACHINE_CONFIG` is a bad value or unparsable TOML. */
export type MachineConfigErrorCode =
  | 'ERR_MACHINE_CONFIG'
  /** The config file, or its machine directory, is a symbolic link; the store does not follow them. */
  | 'ERR_MACHINE_CONFIG_SYMLINK'
  /** The config is a FIFO, device, socket or directory: never opened for reading. */
  | 'ERR_MACHINE_CONFIG_NOT_REGULAR'
  /** The config is larger than the store's `maxConfigBytes`. */
  | 'ERR_MACHINE_CONFIG_TOO_LARGE';

/** A config file that does not parse, holds a wrong type or value, or cannot be read safely. */
export class MachineConfigError extends MachineStoreError {
  declare readonly code: MachineConfigErrorCode;
  constructor(
    readonly path: string,
    readonly detail: string,
    readonly line: number | null,
    readonly column: number | null,
    options?: { cause?: unknown; code?: MachineConfigErrorCode },
  ) {
    const where = line === null ? path : `${path}:${line}:${column ?? 1}`;
    super(
      options?.code ?? 'ERR_MACHINE_CONFIG',
      `${where}: ${detail}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
  }
}

export class MachineNotFoundError extends MachineStoreError {
  declare readonly code: 'ERR_MACHINE_NOT_FOUND';
  constructor(
    readonly machine: string,
    readonly path: string,
  ) {
    super('ERR_MACHINE_NOT_FOUND', `no machine named "${machine}" (looked for ${path})`);
  }
}

export class MachineExistsError extends MachineStoreError {
  declare readonly code: 'ERR_MACHINE_EXISTS';
  constructor(
    readonly machine: string,
    readonly path: string,
  ) {
    super('ERR_MACHINE_EXISTS', `a machine named "${machine}" already exists (${path})`);
  }
}

/** Another process (or another open in this one) has the store open. */
export class StoreLockedError extends MachineStoreError {
  declare readonly code: 'ERR_STORE_LOCKED';
  constructor(
    readonly baseDir: string,
    /** The file that records the holder's pid (the lock itself is on `baseDir`). */
    readonly lockPath: string,
    readonly holderPid: number | null,
    /** How long the opener waited for the lock before giving up. */
    readonly waitedMs = 0,
  ) {
    super('ERR_STORE_LOCKED', lockedMessage(baseDir, holderPid, waitedMs));
  }
}

function lockedMessage(baseDir: string, holderPid: number | null, waitedMs: number): string {
  const gaveUp = waitedMs > 0 ? `; gave up after waiting ${waitedMs} ms` : '';
  if (holderPid === process.pid) {
    return `machine store ${baseDir} is already open in this process (pid ${holderPid}); close it before opening it again${gaveUp}`;
  }
  const holder = holderPid === null ? 'another process' : `another process (pid ${holderPid})`;
  return `machine store ${baseDir} is in use by ${holder}${gaveUp}`;
}

/** An update tried to change a field that must never change once written. */
export class ImmutableFieldError extends MachineStoreError {
  declare readonly code: 'ERR_IMMUTABLE_FIELD';
  constructor(
    readonly machine: string,
    readonly field: string,
  ) {
    super('ERR_IMMUTABLE_FIELD', `machine "${machine}": ${field} cannot change once written`);
  }
}

/** The store was closed; it takes no more reads or writes. */
export class StoreClosedError extends MachineStoreError {
  declare readonly code: 'ERR_STORE_CLOSED';
  constructor(readonly baseDir: string) {
    super('ERR_STORE_CLOSED', `machine store ${baseDir} is closed`);
  }
}
