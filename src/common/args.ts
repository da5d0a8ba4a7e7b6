// Argument checks shared by the modules: bad options are a TypeError or
// RangeError with a Node-style code, thrown before any syscall. The errors
// are built by the shared factory (errors.ts).
import { describeValue as describe, makeError } from './errors.js';

export function invalidArg(name: string, expected: string, value: unknown): TypeError {
  return makeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" option must be ${expected}; received ${describe(value)}`);
}

/** The right type but a wrong value (an unknown name, a malformed address). */
export function invalidValue(name: string, expected: string, value: unknown): TypeError {
  return makeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The "${name}" argument must be ${expected}; received ${describe(value)}`);
}

/** ERR_INVALID_ARG_VALUE for a value of the expected primitive type, else ERR_INVALID_ARG_TYPE. */
export function badArg(name: string, expected: string, value: unknown, type: 'string' | 'number'): TypeError {
  return typeof value === type ? invalidValue(name, expected, value) : invalidArg(name, expected, value);
}

export function outOfRange(name: string, range: string, value: unknown): RangeError {
  return makeError(RangeError, 'ERR_OUT_OF_RANGE', `The "${name}" option must be ${range}; received ${describe(value)}`);
}

export function checkPath(path: unknown): string {
  if (typeof path !== 'string') throw invalidArg('path', 'a string', path);
  if (path.length === 0 || path === '@') {
    throw makeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'The "path" must name a socket file or an abstract name ("@name")');
  }
  return path;
}

/**
 * An integer in [min, max], checked as Node's validateInteger checks it: a
 * non-number is ERR_INVALID_ARG_TYPE; NaN, ±Infinity and fractions are
 * ERR_OUT_OF_RANGE like any other number outside the range. (The addon's hot
 * paths apply the same rule natively; see native/common/integer_arg.h.)
 */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') throw invalidArg(name, 'an integer', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} and <= ${max}`, value);
  return value;
}

/**
 * A finite number (fractions allowed) in [min, max], or in (min, max] when
 * `aboveMin`: a non-number is ERR_INVALID_ARG_TYPE; NaN, ±Infinity and
 * numbers outside the range are ERR_OUT_OF_RANGE.
 */
export function checkNumber(name: string, value: unknown, min: number, max = Infinity, aboveMin = false): number {
  if (typeof value !== 'number') throw invalidArg(name, 'a number', value);
  if (Number.isFinite(value) && (aboveMin ? value > min : value >= min) && value <= max) return value;
  const lower = aboveMin ? `> ${min}` : `>= ${min}`;
  throw outOfRange(name, max === Infinity ? `a finite number ${lower}` : `${lower} and <= ${max}`, value);
}

/** An object argument (a config, a record), as Node's validateObject: null, arrays, functions and primitives are ERR_INVALID_ARG_TYPE. */
export function checkObject<T extends object>(value: T, name: string): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" argument must be an object; received ${describe(value)}`);
  }
  return value;
}

/** An options object; absent is `{}`. null and primitives are ERR_INVALID_ARG_TYPE, as in Node. */
export function checkOptions<T extends object>(value: T | undefined, name = 'options'): T {
  return value === undefined ? ({} as T) : checkObject(value, name);
}

/** An optional AbortSignal. */
export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidArg('signal', 'an AbortSignal', signal);
  return signal;
}

export function checkFunction<F extends (...args: never[]) => unknown>(name: string, value: unknown): F {
  if (typeof value !== 'function') throw invalidArg(name, 'a function', value);
  return value as F;
}
