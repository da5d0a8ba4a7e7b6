// The one place hostwire builds its errors, in the manner of Node's
// internal/errors: every error that leaves hostwire carries a string `code` —
// Node's ERR_* names for bad arguments (see args.ts), errno names for system
// errors, a module's own ERR_* otherwise.
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';

/** Extra own properties of an error; `cause` becomes the standard `cause`. */
export type ErrorProps = { cause?: unknown } & Record<string, unknown>;

type ErrorClass<E extends Error> = new (message?: string, options?: ErrorOptions) => E;

/**
 * An error of class `Base` (TypeError, RangeError, Error, …) with `code` and
 * `props`; its name stays the class's, as Node's own coded errors do.
 */
export function makeError<E extends Error>(Base: ErrorClass<E>, code: string, message: string, props?: ErrorProps): E & { code: string } {
  const { cause, ...rest } = props ?? {};
  const err = props !== undefined && 'cause' in props ? new Base(message, { cause }) : new Base(message);
  // The stack starts where the error was asked for, not in this factory.
  Error.captureStackTrace(err, makeError);
  return Object.assign(err, { code }, rest);
}

// Base classes of the modules' typed errors: a stable `code`, and `name` the
// subclass's own. Three, because some are TypeErrors or RangeErrors at heart
// (a bad subnet is a TypeError to `instanceof`, as a bad argument is).

export class HostwireError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class HostwireTypeError extends TypeError {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class HostwireRangeError extends RangeError {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A Node-style system error, as the addon's (native/common/errors.cc) and fs's are. */
export interface SystemErrorSpec {
  /** The errno name ('ENODEV') or number (19); the other is derived. */
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
  /** Replaces the errno's own description in the message ("no interface named …"). */
  detail?: string;
  /** Further own properties (`netns`, …) and `cause`. */
  props?: ErrorProps;
}

const ERRNO = constants.errno as Readonly<Record<string, number>>;

/**
 * An Error with `code` (the errno name), `errno` (positive, as the addon
 * reports it), `syscall` and `path` when given, and the message Node's own
 * system errors have: `ENODEV: no such device, open '/x'`.
 */
export function systemError(spec: SystemErrorSpec): NodeJS.ErrnoException {
  const errno = spec.errno ?? (spec.code === undefined ? undefined : ERRNO[spec.code]);
  if (errno === undefined || !Number.isInteger(errno) || errno <= 0) {
    throw makeError(RangeError, 'ERR_OUT_OF_RANGE', `not an errno: ${String(spec.code ?? spec.errno)}`);
  }
  const [name, description] = getSystemErrorMap().get(-errno) ?? [spec.code ?? `Unknown system error ${errno}`, 'unknown error'];
  let message = `${name}: ${spec.detail ?? description}`;
  if (spec.syscall !== undefined) message += `, ${spec.syscall}`;
  if (spec.path !== undefined) message += ` '${spec.path}'`;
  const props: ErrorProps = { errno };
  if (spec.syscall !== undefined) props.syscall = spec.syscall;
  if (spec.path !== undefined) props.path = spec.path;
  const err = makeError(Error, name, message, { ...props, ...spec.props });
  Error.captureStackTrace(err, systemError);
  return err;
}

/** As Node's own promise APIs reject on abort: an AbortError (ABORT_ERR), the signal's reason as its cause. */
export function abortError(signal: AbortSignal): Error {
  const err = makeError(Error, 'ABORT_ERR', 'The operation was aborted', { cause: signal.reason, name: 'AbortError' });
  Error.captureStackTrace(err, abortError);
  return err;
}

/** A value as error messages show it: strings quoted, objects by their class. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return `a ${typeof value}`;
  return `an instance of ${value.constructor?.name ?? 'Object'}`;
}
