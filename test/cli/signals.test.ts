// The CLI's one SIGINT/SIGTERM helper, in real child processes: the first
// signal aborts with the signal's name and the 128 + n exit status; the
// handlers are gone after it, so a second signal ends the process as usual.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SIGNAL_EXIT_CODES, signalExitCode } from '../../src/cli/signals.js';
import { finish } from '../helpers/child.js';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'stop-on-signal.ts');

async function signalled(args: string[], signal?: NodeJS.Signals) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const done = finish(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  await expect.poll(() => out.includes('ready\n'), { timeout: 15_000 }).toBe(true);
  if (signal) child.kill(signal);
  return done;
}

describe('the CLI signal helper', () => {
  it('signalExitCode: 130 for SIGINT, 143 for SIGTERM, nothing for any other reason', () => {
    expect(signalExitCode('SIGINT')).toBe(130);
    expect(signalExitCode('SIGTERM')).toBe(143);
    for (const reason of ['SIGHUP', 'toString', undefined, new Error('SIGINT')]) expect(signalExitCode(reason)).toBeUndefined();
    expect(Object.isFrozen(SIGNAL_EXIT_CODES)).toBe(true);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('abortOnSignals: %s aborts with its name, exits %i, and leaves no handler behind', async (signal, code) => {
    const result = await signalled(['abort'], signal);
    expect(result.stdout).toBe(`ready\naborted ${signal} listeners 0 0\n`);
    expect(result).toMatchObject({ code, signal: null });
  });

  it('untilStopped resolves with the signal’s name, or "duration", and removes its handlers', async () => {
    const [int, term, timed] = await Promise.all([
      signalled(['until'], 'SIGINT'),
      signalled(['until'], 'SIGTERM'),
      signalled(['until', '50']),
    ]);
    expect(int).toMatchObject({ code: 0, stdout: 'ready\nstopped SIGINT listeners 0 0\n' });
    expect(term).toMatchObject({ code: 0, stdout: 'ready\nstopped SIGTERM listeners 0 0\n' });
    expect(timed).toMatchObject({ code: 0, stdout: 'ready\nstopped duration listeners 0 0\n' });
  });
});
