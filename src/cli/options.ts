// Option values, parsed where commander reads them, before any command runs.
// A malformed value is a usage error naming the flag and what it expects:
//   error: option '--count <n>' argument '0x10' is invalid. Expected a decimal integer from 1 to 4294967295.
// and every usage error exits with USAGE_ERROR (main.ts).
import { InvalidArgumentError, Option, type Command } from 'commander';
import { isIP } from 'node:net';
import { parseStatus, type StatusCode } from '../vlp/constants.js';

/** Exit status of every usage error: a malformed or missing option, an unknown command. */
export const USAGE_ERROR = 2;

/** The longest delay a Node timer takes; beyond it setTimeout fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const U32_MAX = 2 ** 32 - 1;

export type Parser<T> = (value: string) => T;

/** The error commander reports as `error: option '<flags>' argument '<value>' is invalid. <why>` */
export function invalidOption(why: string): InvalidArgumentError {
  const err = new InvalidArgumentError(why);
  err.exitCode = USAGE_ERROR;
  return err;
}

/** A value only another option makes invalid, reported the way commander reports the rest. */
export function invalidWith(command: Command, flags: string, value: string, why: string): never {
  return command.error(`error: option '${flags}' argument '${value}' is invalid. ${why}`, {
    exitCode: USAGE_ERROR,
    code: 'commander.invalidArgument',
  });
}

// Digits only: no sign, blanks, exponent, hex, octal prefix or fraction, so
// '1e3', '0x10', ' 5' and '1.5' are refused rather than read by Number().
const DECIMAL = /^[0-9]+$/;

/** A decimal integer in [min, max] (0 <= min <= max <= 2^53 - 1). */
export function integer(min: number, max: number, what = 'a decimal integer'): Parser<number> {
  const expected = `Expected ${what} from ${min} to ${max}.`;
  return (value) => {
    const n = DECIMAL.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) throw invalidOption(expected);
    return n;
  };
}

/** How many times to do something: 1 or more (0 is refused: no command reads it as "forever"). */
export const count: Parser<number> = integer(1, U32_MAX);

/** Milliseconds for a timer: a decimal integer from `min` to `max` (at most 2^31 - 1). */
export function duration(min = 0, max = MAX_TIMER_MS): Parser<number> {
  return integer(min, Math.min(max, MAX_TIMER_MS), 'a whole number of milliseconds');
}

/** A decimal integer that must be one of `choices`. */
export function oneOf(choices: readonly number[]): Parser<number> {
  const expected = `Expected ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}.`;
  return (value) => {
    const n = DECIMAL.test(value) ? Number(value) : NaN;
    if (!choices.includes(n)) throw invalidOption(expected);
    return n;
  };
}

/** A non-empty string: a path, a name, a command line. */
export const nonEmpty: Parser<string> = (value) => {
  if (value.length === 0) throw invalidOption('Expected a non-empty value.');
  return value;
};

/** A socket path, or @name for the abstract namespace. */
export const socketPath: Parser<string> = (value) => {
  if (value.length === 0 || value === '@') throw invalidOption('Expected a socket path, or @name for the abstract namespace.');
  return value;
};

/** An IPv4 or IPv6 address, as node:net's isIP reads it. */
export const ipAddress: Parser<string> = (value) => {
  if (isIP(value) === 0) throw invalidOption('Expected an IPv4 or IPv6 address.');
  return value;
};

/** A file mode in octal, like 600 or 0660. */
export const octalMode: Parser<number> = (value) => {
  if (!/^0?[0-7]{3,4}$/.test(value)) throw invalidOption('Expected an octal file mode like 600.');
  return parseInt(value, 8);
};

/** A status a process may send: ok, degraded or critical. */
export const status: Parser<StatusCode> = (value) => {
  try {
    return parseStatus(value);
  } catch {
    throw invalidOption(
      `Expected ok, degraded or critical${value.toLowerCase() === 'stall' ? ' (Stall is synthesized by observers and cannot be sent)' : ''}.`,
    );
  }
};

// Options several commands take, defined once so they read and parse alike.

/** --socket <path>, required: the socket a command binds or sends to. */
export function socketOption(description: string): Option {
  return new Option('--socket <path>', description).argParser(socketPath).makeOptionMandatory();
}

/** --duration-ms <n>: a command that runs until SIGINT/SIGTERM also stops by itself after this long. */
export function durationOption(): Option {
  return new Option('--duration-ms <n>', `stop after this many milliseconds (at most ${MAX_TIMER_MS})`).argParser(duration());
}
