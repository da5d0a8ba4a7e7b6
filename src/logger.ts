// Library code never prints: it takes an optional logger with pino's method
// names, silent by default.
import { invalidArg } from './common/args.js';

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

const noop = (): void => {};
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** A logger option, checked once where it is taken so that a bad one fails there, not at its first use. */
export function checkLogger(value: unknown): Logger {
  const logger = value as Partial<Record<keyof Logger, unknown>> | null;
  if (typeof logger !== 'object' || logger === null || LEVELS.some((level) => typeof logger[level] !== 'function')) {
    throw invalidArg('logger', 'an object with debug, info, warn and error methods', value);
  }
  return value as Logger;
}
