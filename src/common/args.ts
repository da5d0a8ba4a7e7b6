// Argument checks shared by the modules: bad options are a TypeError or
// RangeError with a Node-style code, thrown before any syscall.

export function invalidArg(name: string, expected: string, value: unknown): TypeError {
  const err = new TypeError(`The "${name}" option must be ${expected}; received ${describe(value)}`);
  (err as NodeJS.ErrnoException).code = 'ERR_INVALID_ARG_TYPE';
  return err;
}

/** The right type but a wrong value (an unknown name, a malformed address). */
export function invalidValue(name: string, expected: string, value: unknown): TypeError {
  const err = new TypeError(`The "${name}" argument must be ${expected}; received ${describe(value)}`);
  (err as NodeJS.ErrnoException).code = 'ERR_INVALID_ARG_VALUE';
  return err;
}

/** ERR_INVALID_ARG_VALUE for a value of the expected primitive type, else ERR_INVALID_ARG_TYPE. */
export function badArg(name: string, expected: string, value: unknown, type: 'string' | 'number'): TypeError {
  return typeof value === type ? invalidValue(name, expected, value) : invalidArg(name, expected, value);
}

export function outOfRange(name: string, range: string, value: unknown): RangeError {
  const err = new RangeError(`The "${name}" option must be ${range}; received ${describe(value)}`);
  (err as NodeJS.ErrnoException).code = 'ERR_OUT_OF_RANGE';
  return err;
}

export function checkPath(path: unknown): string {
  if (typeof path !== 'string') throw invalidArg('path', 'a string', path);
  if (path.length === 0 || path === '@') {
    const err = new TypeError('The "path" must name a socket file or an abstract name ("@name")');
    (err as NodeJS.ErrnoException).code = 'ERR_INVALID_ARG_VALUE';
    throw err;
  }
  return path;
}

export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidArg(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} and <= ${max}`, value);
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  return `an instance of ${(value as object).constructor?.name ?? 'Object'}`;
}
