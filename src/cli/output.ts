// The CLI is the only part of hostwire that prints.

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Parses a non-negative integer option, with the option's name in the error. */
export function parseCount(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
    return n;
  };
}

export function parseOctalMode(value: string): number {
  if (!/^0?[0-7]{3,4}$/.test(value)) throw new Error(`--mode must be an octal file mode like 600, got "${value}"`);
  return parseInt(value, 8);
}

/** Resolves on SIGINT/SIGTERM or after `ms` (when given), whichever comes first. */
export function untilStopped(ms: number | undefined): Promise<string> {
  return new Promise((resolve) => {
    const stop = (why: string) => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (timer) clearTimeout(timer);
      resolve(why);
    };
    const onInt = stop('SIGINT');
    const onTerm = stop('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    const timer = ms === undefined ? undefined : setTimeout(stop('duration'), ms);
  });
}
