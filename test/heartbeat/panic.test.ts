// Panic hooks in real child processes: each dies the way it would have, and the
// observer hears one terminal frame from it first.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Observer } from '../../src/heartbeat/index.js';
import { finish, startFixture } from '../helpers/child.js';
import { tempDir } from '../helpers/tmp.js';
import { nextEvent } from './helpers.js';

async function dieAndListen(how: string) {
  const sock = path.join(tempDir(), 'panic.sock');
  const observer = Observer.listen(sock, { stallAfterMs: 60_000 });
  try {
    const terminal = nextEvent(observer, 'terminal');
    const child = startFixture('panic.ts', [sock, how]);
    const result = await finish(child);
    const timeout = new Promise<null>((r) => setTimeout(() => r(null), 3000));
    const agent = await Promise.race([terminal, timeout]);
    return { result, agent, childPid: child.pid, counters: observer.counters };
  } finally {
    observer.close();
  }
}

describe('panic hooks', () => {
  it('uncaught exception: one terminal frame, then the process dies as it would have (exit 1, stack on stderr)', async () => {
    const { result, agent, childPid } = await dieAndListen('throw');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('boom from the fixture');
    expect(agent).toMatchObject({ pid: childPid, status: 'critical', nonce: 0xffff_ffff_ffff_ffffn, terminal: true });
  });

  it('unhandled rejection: terminal frame, then exit 1', async () => {
    const { result, agent, childPid } = await dieAndListen('reject');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('rejected in the fixture');
    expect(agent?.pid).toBe(childPid);
  });

  it('SIGTERM with no handler of the app’s: terminal frame, then death by SIGTERM', async () => {
    const { result, agent, childPid } = await dieAndListen('signal');
    expect(result.signal).toBe('SIGTERM');
    expect(agent?.pid).toBe(childPid);
  });

  it('SIGTERM the app handles itself: the hook stays out of the way and sends nothing', async () => {
    const { result, agent } = await dieAndListen('handled-signal');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('app handled SIGTERM; hook sent=false');
    expect(agent).toBeNull();
  });

  it.each([
    ['segv', 'SIGSEGV', 11n],
    ['abort', 'SIGABRT', 6n],
  ])(
    'native fatal signal (%s): the addon sends a terminal frame carrying the signal number, then the process dies by %s',
    async (how, signal, payload) => {
      const { result, agent, childPid, counters } = await dieAndListen(how);
      expect(result.signal).toBe(signal);
      expect(agent).toMatchObject({ pid: childPid, payload, terminal: true });
      expect(counters.terminals).toBe(1);
    },
  );
});
