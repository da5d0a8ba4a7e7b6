import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Observer } from '../../src/heartbeat/index.js';
import { finish } from '../helpers/child.js';
import { runCli, startCli } from '../helpers/cli.js';
import { startFixture } from '../helpers/child.js';
import { tempDir } from '../helpers/tmp.js';

describe('hostwire heartbeat beat / watch / demo', () => {
  it('beat --json sends and summarises; the observer sees status and payload', async () => {
    const sock = path.join(tempDir(), 'beat.sock');
    using observer = Observer.listen(sock);
    const result = await runCli([
      'heartbeat',
      'beat',
      '--socket',
      sock,
      '--count',
      '3',
      '--interval-ms',
      '0',
      '--status',
      'degraded',
      '--payload',
      '42',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { pid: number; outcomes: Record<string, number>; nextNonce: string };
    expect(summary.outcomes).toEqual({ sent: 3 });
    expect(summary.nextNonce).toBe('4');
    await expect.poll(() => observer.snapshot().agents.find((a) => a.pid === summary.pid)?.beats).toBe(3);
    expect(observer.snapshot().agents[0]).toMatchObject({ status: 'degraded', payload: 42n });
  });

  it('beat --vlp 1 is decoded by an observer accepting v0.1; beat with nobody listening exits 1 and says why', async () => {
    const sock = path.join(tempDir(), 'v1.sock');
    using observer = Observer.listen(sock, { versions: [1, 2] });
    expect((await runCli(['heartbeat', 'beat', '--socket', sock, '--vlp', '1', '--interval-ms', '0'])).code).toBe(0);
    await expect.poll(() => observer.snapshot().agents[0]?.version).toBe(1);
    const none = await runCli(['heartbeat', 'beat', '--socket', path.join(tempDir(), 'none.sock'), '--count', '2', '--interval-ms', '0']);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('2  dropped: no observer (ENOENT)');
    const bad = await runCli(['heartbeat', 'beat', '--socket', sock, '--status', 'stall']);
    expect(bad.code).toBe(2); // a usage error
    expect(bad.stderr).toContain('Stall is synthesized by observers');
  });

  it('watch --json prints join, then a stall when the agent is killed, then stats', async () => {
    const sock = path.join(tempDir(), 'watch.sock');
    const watcher = startCli(['heartbeat', 'watch', '--socket', sock, '--stall-ms', '300', '--duration-ms', '4000', '--json']);
    const done = finish(watcher);
    let out = '';
    watcher.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    await expect.poll(() => out.includes('"listening"'), { timeout: 15_000 }).toBe(true);
    const agent = startFixture('agent-beat.ts', [sock, '0', '20']);
    await expect.poll(() => out.includes('"join"'), { timeout: 15_000 }).toBe(true);
    agent.kill('SIGKILL');
    await expect.poll(() => out.includes('"stall"'), { timeout: 15_000 }).toBe(true);
    watcher.kill('SIGINT');
    const result = await done;
    const events = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const join = events.find((e) => e.event === 'join')!;
    const stall = events.find((e) => e.event === 'stall')!;
    expect(join.pid).toBe(agent.pid);
    expect(stall).toMatchObject({ pid: agent.pid, stalled: true });
    expect(stall.silentForMs as number).toBeGreaterThanOrEqual(300);
    expect(events.at(-1)).toMatchObject({ event: 'stats', stopped: 'SIGINT', stalls: 1 });
  });

  it('watch takes v0.2 only unless --accept-v1; the final stats carry every counter', async () => {
    const watchV1 = async (flags: string[]) => {
      const sock = path.join(tempDir(), 'watch-v1.sock');
      const watcher = startCli(['heartbeat', 'watch', '--socket', sock, '--duration-ms', '3000', '--json', ...flags]);
      const done = finish(watcher);
      let out = '';
      watcher.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
      await expect.poll(() => out.includes('"listening"'), { timeout: 15_000 }).toBe(true);
      expect((await runCli(['heartbeat', 'beat', '--socket', sock, '--vlp', '1', '--interval-ms', '0'])).code).toBe(0);
      const result = await done;
      return result.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    const [strict, lenient] = await Promise.all([watchV1([]), watchV1(['--accept-v1'])]);
    expect(strict[0]).toMatchObject({ event: 'listening', versions: [2] });
    expect(strict.some((e) => e.event === 'join')).toBe(false);
    expect(strict.at(-1)).toMatchObject({
      event: 'stats',
      datagrams: 1,
      accepted: 0,
      decodeErrors: { BadVersion: 1 },
      uidRejected: 0,
      restartRejected: 0,
      pidReuses: 0,
      capacityRefused: 0,
    });
    expect(lenient[0]).toMatchObject({ event: 'listening', versions: [1, 2] });
    expect(lenient.find((e) => e.event === 'join')).toMatchObject({ version: 1 });
    expect(lenient.at(-1)).toMatchObject({ event: 'stats', accepted: 1 });
  });

  it('demo: a killed agent stalls and a crashing one sends its terminal frame', async () => {
    const result = await runCli(['heartbeat', 'demo', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      events: { event: string; pid: number; nonce: string; beats: number }[];
      counters: { stalls: number; terminals: number };
    };
    const joins = report.events.filter((e) => e.event === 'join').map((e) => e.pid);
    expect(joins).toHaveLength(2);
    const stall = report.events.find((e) => e.event === 'STALL');
    const terminal = report.events.find((e) => e.event === 'terminal');
    expect(stall && joins.includes(stall.pid)).toBe(true);
    expect(stall?.beats, 'the steady agent beat a few times before it was killed').toBeGreaterThanOrEqual(5);
    expect(terminal?.nonce).toBe('18446744073709551615');
    expect(terminal?.pid).not.toBe(stall?.pid);
    expect(report.counters).toMatchObject({ stalls: 1, terminals: 1 });
  });

  it('the spellings from before the heartbeat group still work: beat, watch and the top-level demo', async () => {
    const sock = path.join(tempDir(), 'old.sock');
    const watcher = startCli(['watch', '--socket', sock, '--duration-ms', '3000', '--json']);
    const done = finish(watcher);
    let out = '';
    watcher.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    await expect.poll(() => out.includes('"listening"'), { timeout: 15_000 }).toBe(true);
    const beat = await runCli(['beat', '--socket', sock, '--count', '2', '--interval-ms', '0', '--json']);
    expect(beat.code).toBe(0);
    expect(JSON.parse(beat.stdout)).toMatchObject({ outcomes: { sent: 2 } });
    const events = (await done).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.find((e) => e.event === 'join')).toMatchObject({ pid: (JSON.parse(beat.stdout) as { pid: number }).pid });
    expect(events.at(-1)).toMatchObject({ event: 'stats', accepted: 2 });

    const help = await runCli(['--help']);
    expect(help.stdout).toMatch(/^\s+demo \[options\]/m);
    expect(help.stdout).toMatch(/^\s+heartbeat\b/m);
    expect(help.stdout).not.toMatch(/^\s+(beat|watch)\b/m);
  });
});
