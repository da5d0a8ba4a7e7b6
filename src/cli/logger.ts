// --verbose: the library's log records (pino's method names) as lines on stderr.
import type { Logger } from '../logger.js';

const fieldText = (value: unknown): string =>
  value instanceof Error ? JSON.stringify(value.message) : typeof value === 'string' ? value : JSON.stringify(value);

/** `hostwire: <level>: <message> (key=value …)` on stderr, one line per record. */
export function stderrLogger(): Logger {
  const write = (level: string) => (obj: object | string, msg?: string) => {
    const text = typeof obj === 'string' ? obj : (msg ?? '');
    const fields = typeof obj === 'string' ? [] : Object.entries(obj).map(([k, v]) => `${k}=${fieldText(v)}`);
    process.stderr.write(`hostwire: ${level}: ${text}${fields.length > 0 ? ` (${fields.join(' ')})` : ''}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
