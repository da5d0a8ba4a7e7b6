// The CLI is the only part of hostwire that prints: results on stdout, one
// JSON value per line with --json; reasons on stderr, prefixed `hostwire: `.
import { formatTable, type Column } from './table.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** A table through the one renderer (table.ts). */
export function printTable(rows: readonly (readonly string[])[], columns: readonly Column[]): void {
  for (const line of formatTable(rows, columns)) printLine(line);
}

/** How many times each outcome happened, counts right-aligned: `       2  dropped: no observer (ENOENT)`. */
export function printCounts(counts: Readonly<Record<string, number>>): void {
  printTable(
    Object.entries(counts).map(([label, n]) => [String(n), label]),
    [{ align: 'right', minWidth: 8 }, {}],
  );
}

/** An error's message with its code: `message [CODE]`. */
export function errorText(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return `${err.message}${code ? ` [${code}]` : ''}`;
}

/** A reason on stderr: `hostwire: <text>`. */
export function printError(text: string): void {
  process.stderr.write(`hostwire: ${text}\n`);
}
