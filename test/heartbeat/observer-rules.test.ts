// The observer's acceptance rules, over real sockets and real processes:
// VLP versions, the nonce wrap window, process identity (uid, start time, pid
// reuse) and a full agent table.
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DgramSender } from '../../src/dgram/index.js';
import { Agent, NONCE_WRAP_WINDOW, Observer, nonceAdvances } from '../../src/heartbeat/index.js';
import { encodeFrame, NONCE_TERMINAL, Status } from '../../src/vlp/index.js';
import { finish, fixturesDir, startFixture } from '../helpers/child.js';
import { itAsRoot } from '../helpers/root.js';
import { tempDir } from '../helpers/tmp.js';
import { exitOf, waitForOutput } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const vectors = JSON.parse(readFileSync(path.join(here, '../vlp/vectors/vlp-test-vectors.json'), 'utf8')) as {
  frame_vectors: { id: string; wire_hex?: string }[];
};
const badVersionVector = Buffer.from(vectors.frame_vectors.find((v) => v.id === 'frame-error-bad-version')!.wire_hex!, 'hex');

const frame = (pid: number, nonce: bigint, status: number = Status.Ok) =>
  encodeFrame({ version: 2, status: status as 0, pid, timestamp: 1n, nonce, payload: 0n });

/** Field 22 of /proc/<pid>/stat, read here independently of the observer. */
function startTimeOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3]);
}

/** Sends one datagram and waits until the observer has counted it. */
async function deliver(observer: Observer, sender: DgramSender, datagram: Uint8Array): Promise<void> {
  const before = observer.counters.datagrams;
  expect(sender.send(datagram).ok).toBe(true);
  await expect.poll(() => observer.counters.datagrams).toBe(before + 1);
}

describe('VLP versions', () => {
  it('strict v0.2 by default: the spec’s BadVersion vector (and a v0.1 agent) is counted as BadVersion and never joins', async () => {
    const sock = path.join(tempDir(), 'strict.sock');
    using observer = Observer.listen(sock, { verifyPid: false });
    using sender = DgramSender.connect(sock);
    expect(observer.versions).toEqual([2]);
    await deliver(observer, sender, badVersionVector);
    using v1 = Agent.connect(sock, { version: 1 });
    expect(v1.beat().ok).toBe(true);
    await expect.poll(() => observer.counters.datagrams).toBe(2);
    expect(observer.counters.decodeErrors.BadVersion).toBe(2);
    expect(observer.counters.accepted).toBe(0);
    expect(observer.snapshot().agents).toEqual([]);
    expect(observer.prometheus()).toContain('hostwire_vlp_decode_errors_total{kind="BadVersion"} 2');
  });

  it('versions: [1, 2] accepts a v0.1 agent; versions: [1] counts v0.2 frames as BadVersion', async () => {
    const sock = path.join(tempDir(), 'v1.sock');
    using observer = Observer.listen(sock, { versions: [1, 2] });
    using agent = Agent.connect(sock, { version: 1 });
    expect(agent.beat(Status.Degraded, 2 ** 40).ok).toBe(true);
    await expect.poll(() => observer.snapshot().agents.length).toBe(1);
    expect(observer.snapshot().agents[0]).toMatchObject({ pid: process.pid, version: 1, payload: 2n ** 40n, status: 'degraded' });

    const onlyV1Sock = path.join(tempDir(), 'only-v1.sock');
    using onlyV1 = Observer.listen(onlyV1Sock, { versions: [1] });
    using v2 = Agent.connect(onlyV1Sock);
    expect(v2.beat().ok).toBe(true);
    await expect.poll(() => onlyV1.counters.decodeErrors.BadVersion).toBe(1);
    expect(onlyV1.snapshot().agents).toEqual([]);
  });

  it('versions and allowedUids are checked before the socket is bound', () => {
    const sock = path.join(tempDir(), 'args.sock');
    expect(() => Observer.listen(sock, { versions: [3] as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => Observer.listen(sock, { versions: [] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => Observer.listen(sock, { versions: 2 as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => Observer.listen(sock, { allowedUids: [-1] })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => Observer.listen(sock, { allowedUids: 'all' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    using observer = Observer.listen(sock); // the path is still free
    expect(observer.versions).toEqual([2]);
  });
});

describe('nonce wrap window (2^20 at each end of the sequence)', () => {
  const TOP = NONCE_TERMINAL - 1n; // the largest regular nonce
  const W = BigInt(NONCE_WRAP_WINDOW);
  const halves = (n: bigint) => [Number(n >> 32n), Number(n & 0xffff_ffffn)] as const;
  const advances = (last: bigint, next: bigint) => nonceAdvances(...halves(last), ...halves(next));
  const cases: [string, bigint, bigint, boolean][] = [
    ['last at the top, next 0', TOP, 0n, true],
    ['last just inside (top − 2^20), next just inside (2^20)', TOP - W, W, true],
    ['last just outside (top − 2^20 − 1), next 0', TOP - W - 1n, 0n, false],
    ['last at the top, next just outside (2^20 + 1)', TOP, W + 1n, false],
    ['last in the top 2^32 but outside the window, next below 2^32', TOP - (1n << 31n), 1n << 31n, false],
  ];

  it('nonceAdvances at the edges', () => {
    for (const [, last, next, wrap] of cases) expect(advances(last, next)).toBe(wrap);
    expect(advances(5n, 6n)).toBe(true);
    expect(advances(5n, 5n)).toBe(false);
    expect(advances(TOP - 1n, TOP)).toBe(true);
  });

  it.each(cases)('over a socket: %s', async (_name, last, next, wrap) => {
    const sock = path.join(tempDir(), 'wrap.sock');
    using observer = Observer.listen(sock);
    using sender = DgramSender.connect(sock);
    await deliver(observer, sender, frame(process.pid, last));
    await deliver(observer, sender, frame(process.pid, next));
    // Outside the window the nonce went back: this same process restarting, refused.
    expect(observer.counters).toMatchObject({ accepted: wrap ? 2 : 1, restartRejected: wrap ? 0 : 1, pidReuses: 0 });
    expect(observer.snapshot().agents[0]!.nonce).toBe(wrap ? next : last);
  });
});

describe('process identity', () => {
  it('records the sender’s start time and pid namespace; a process restarting its nonces is rejected and counted', async () => {
    const sock = path.join(tempDir(), 'restart.sock');
    using observer = Observer.listen(sock, { stallAfterMs: 60_000 });
    // Five beats, then a new Agent in the same process: nonces 1, 2, 3 again.
    const child = startFixture('agent-script.ts', [sock, 'beat*5,new,beat*3']);
    try {
      const pid = Number(/done (\d+) 8/.exec(await waitForOutput(child, 'done'))![1]);
      await expect.poll(() => observer.counters.datagrams).toBe(8);
      expect(observer.counters).toMatchObject({ accepted: 5, restartRejected: 3, nonceRejected: 0, pidReuses: 0 });
      const agent = observer.snapshot().agents[0]!;
      expect(agent).toMatchObject({ pid, beats: 5, nonce: 5n });
      expect(agent.startTime).toBe(startTimeOf(pid));
      expect(agent.pidNamespace).toBe(Number(/\d+/.exec(readlinkSync(`/proc/${pid}/ns/pid`))![0]));
      expect(observer.prometheus()).toContain('hostwire_vlp_restart_rejected_total 3');
    } finally {
      child.kill('SIGKILL');
      await exitOf(child);
    }
  });

  it('frames after its terminal frame from the same process are rejected: it cannot rejoin', async () => {
    const sock = path.join(tempDir(), 'terminal.sock');
    using observer = Observer.listen(sock, { stallAfterMs: 60_000 });
    const joins: number[] = [];
    observer.on('join', (a) => joins.push(a.pid));
    // Two beats, terminal, then the same agent beats on (nonce 3) and a new one starts at 1.
    const child = startFixture('agent-script.ts', [sock, 'beat*2,terminal,beat*1,new,beat*1']);
    try {
      await waitForOutput(child, 'done');
      await expect.poll(() => observer.counters.datagrams).toBe(5);
      expect(observer.counters).toMatchObject({ accepted: 3, terminals: 1, restartRejected: 2, pidReuses: 0 });
      expect(joins).toEqual([child.pid]);
      expect(observer.snapshot().agents[0]).toMatchObject({ terminal: true, beats: 3, nonce: NONCE_TERMINAL });
    } finally {
      child.kill('SIGKILL');
      await exitOf(child);
    }
  });

  itAsRoot(
    'pid reuse: new processes given the same pid (start time changed) are tracked afresh, after terminal and after a nonce restart (a pid namespace)',
    async () => {
      const sock = path.join(tempDir(), 'reuse.sock');
      // The observer and its agents run as a fresh pid namespace, where ns_last_pid hands out one pid three times.
      const run = spawn(
        'unshare',
        ['--pid', '--fork', '--mount-proc', process.execPath, '--import', 'tsx', path.join(fixturesDir, 'pid-reuse.ts'), sock],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const result = await finish(run);
      expect(result.stderr).toBe('');
      const report = JSON.parse(result.stdout) as {
        pids: number[];
        joins: { pid: number; nonce: string; startTime: number }[];
        counters: Record<string, number>;
      };
      expect(new Set(report.pids).size).toBe(1);
      expect(report.joins.map((j) => j.pid)).toEqual(report.pids);
      expect(report.joins.map((j) => j.nonce)).toEqual(['1', '1', '1']);
      expect(new Set(report.joins.map((j) => j.startTime)).size).toBe(3);
      expect(report.counters).toMatchObject({ accepted: 4 + 5 + 2, terminals: 1, pidReuses: 2, restartRejected: 0 });
    },
    { commands: ['unshare'] },
  );

  itAsRoot(
    'a sender under another uid (setpriv) is rejected and counted unless allowedUids includes it',
    async () => {
      const dir = tempDir();
      chmodSync(dir, 0o755); // uid 65534 must reach the socket
      const asNobody = (sock: string) =>
        finish(
          spawn(
            'setpriv',
            [
              '--reuid=65534',
              '--regid=65534',
              '--clear-groups',
              process.execPath,
              '--import',
              'tsx',
              path.join(fixturesDir, 'agent-script.ts'),
              sock,
              'beat*3,exit',
            ],
            { stdio: ['ignore', 'pipe', 'pipe'] },
          ),
        );

      const refusing = Observer.listen(path.join(dir, 'default.sock'), { mode: 0o666 });
      try {
        expect((await asNobody(refusing.path)).stdout).toMatch(/done \d+ 3/);
        await expect.poll(() => refusing.counters.datagrams).toBe(3);
        expect(refusing.counters).toMatchObject({ uidRejected: 3, accepted: 0 });
        expect(refusing.snapshot().agents).toEqual([]);
        expect(refusing.prometheus()).toContain('hostwire_vlp_uid_rejected_total 3');
      } finally {
        refusing.close();
      }

      using allowing = Observer.listen(path.join(dir, 'allowing.sock'), { mode: 0o666, allowedUids: [process.getuid!(), 65534] });
      const out = (await asNobody(allowing.path)).stdout;
      const pid = Number(/done (\d+) 3/.exec(out)![1]);
      await expect.poll(() => allowing.counters.accepted).toBe(3);
      expect(allowing.counters.uidRejected).toBe(0);
      expect(allowing.snapshot().agents[0]).toMatchObject({ pid, uid: 65534, gid: 65534, beats: 3 });
    },
    { commands: ['setpriv'] },
  );
});

describe('a full table (maxAgents)', () => {
  it('keeps its live agents: newcomers are refused and counted', async () => {
    const sock = path.join(tempDir(), 'full.sock');
    using observer = Observer.listen(sock, { maxAgents: 3, verifyPid: false, stallAfterMs: 60_000 });
    using sender = DgramSender.connect(sock);
    const evicted: number[] = [];
    observer.on('evicted', (a) => evicted.push(a.pid));
    for (const pid of [100, 101, 102]) await deliver(observer, sender, frame(pid, 1n));
    for (let pid = 200; pid < 210; pid++) await deliver(observer, sender, frame(pid, 1n)); // a flood of new pids
    await deliver(observer, sender, frame(101, 2n)); // a known agent still beats
    expect(observer.snapshot().agents.map((a) => a.pid)).toEqual([100, 101, 102]);
    expect(observer.counters).toMatchObject({ capacityRefused: 10, evictions: 0, accepted: 4 });
    expect(evicted).toEqual([]);
    expect(observer.prometheus()).toContain('hostwire_vlp_capacity_refused_total 10');
  });

  it('a terminal agent makes room: the newcomer evicts it', async () => {
    const sock = path.join(tempDir(), 'terminal-room.sock');
    using observer = Observer.listen(sock, { maxAgents: 3, verifyPid: false, stallAfterMs: 60_000 });
    using sender = DgramSender.connect(sock);
    const evicted: number[] = [];
    observer.on('evicted', (a) => evicted.push(a.pid));
    for (const pid of [100, 101, 102]) await deliver(observer, sender, frame(pid, 1n));
    await deliver(observer, sender, frame(101, NONCE_TERMINAL, Status.Critical)); // 101 says goodbye
    await deliver(observer, sender, frame(103, 1n));
    expect(evicted).toEqual([101]);
    expect(observer.snapshot().agents.map((a) => a.pid)).toEqual([100, 102, 103]);
    expect(observer.counters).toMatchObject({ evictions: 1, capacityRefused: 0 });
    await deliver(observer, sender, frame(104, 1n)); // no terminal agent left, all live
    expect(observer.counters).toMatchObject({ evictions: 1, capacityRefused: 1 });
  });

  it('stalled is not enough: only an agent silent ≥ 10 × stallAfterMs gives up its place', async () => {
    const sock = path.join(tempDir(), 'silent-room.sock');
    const stallAfterMs = 100;
    using observer = Observer.listen(sock, { maxAgents: 2, verifyPid: false, stallAfterMs });
    using sender = DgramSender.connect(sock);
    await deliver(observer, sender, frame(100, 1n));
    await deliver(observer, sender, frame(101, 1n));
    observer.checkStalls(performance.now() + stallAfterMs * 1.5); // both stalled
    expect(observer.counters.stalls).toBe(2);
    await deliver(observer, sender, frame(102, 1n));
    expect(observer.counters).toMatchObject({ capacityRefused: 1, evictions: 0 });
    await new Promise((r) => setTimeout(r, stallAfterMs * 10 + 100));
    await deliver(observer, sender, frame(101, 2n)); // 101 is back; 100 has been silent 10× the threshold
    await deliver(observer, sender, frame(102, 1n));
    expect(observer.snapshot().agents.map((a) => a.pid)).toEqual([101, 102]);
    expect(observer.counters).toMatchObject({ capacityRefused: 1, evictions: 1 });
  });
});
