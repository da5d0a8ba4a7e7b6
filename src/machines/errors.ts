// Typed errors of the machine store. Each says what was wrong and where,
// and carries a stable `code` to branch on.

/** Base of the store's errors: `name` is the class name, `code` is stable. */
export abstract class MachineStoreError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A machine name that is not `^[a-z0-9][a-z0-9._-]{0,62}$` or contains `..`. */
export class InvalidMachineNameError extends TypeError {
  readonly code = 'ERR_INVALID_MACHINE_NAME';
  constructor(
    readonly input: unknown,
    reason: string,
  ) {
    super(`invalid machine name ${JSON.stringify(input)}: ${reason}`);
    this.name = 'InvalidMachineNameError';
  }
}

/** A config file that does not parse, or holds a wrong type or value. */
export class MachineConfigError extends MachineStoreError {
  readonly code = 'ERR_MACHINE_CONFIG';
  constructor(
    readonly path: string,
    readonly detail: string,
    readonly line: number | null,
    readonly column: number | null,
    options?: { cause?: unknown },
  ) {
    const where = line === null ? path : `${path}:${line}:${column ?? 1}`;
    super(`${where}: ${detail}`, options);
  }
}

export class MachineNotFoundError extends MachineStoreError {
  readonly code = 'ERR_MACHINE_NOT_FOUND';
  constructor(
    readonly machine: string,
    readonly path: string,
  ) {
    super(`no machine named "${machine}" (looked for ${path})`);
  }
}

export class MachineExistsError extends MachineStoreError {
  readonly code = 'ERR_MACHINE_EXISTS';
  constructor(
    readonly machine: string,
    readonly path: string,
  ) {
    super(`a machine named "${machine}" already exists (${path})`);
  }
}

/** Another process has the store open. */
export class StoreLockedError extends MachineStoreError {
  readonly code = 'ERR_STORE_LOCKED';
  constructor(
    readonly baseDir: string,
    readonly lockPath: string,
    readonly holderPid: number | null,
  ) {
    const holder = holderPid === null ? 'another process' : `another process (pid ${holderPid})`;
    super(`machine store ${baseDir} is in use by ${holder}; lock file ${lockPath}`);
  }
}

/** An update tried to change a field that must never change once written. */
export class ImmutableFieldError extends MachineStoreError {
  readonly code = 'ERR_IMMUTABLE_FIELD';
  constructor(
    readonly machine: string,
    readonly field: string,
  ) {
    super(`machine "${machine}": ${field} cannot change once written`);
  }
}
