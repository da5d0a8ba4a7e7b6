import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { DgramReceiver, DgramSender } from '../../src/dgram/index.js';
import { Agent, Observer, nonceAdvances } from '../../src/heartbeat/index.js';
import { encodeFrame, NONCE_TERMINAL, Status, referenceCrc32c } from '../../src/vlp/index.js';
import { fixturesDir, startFixture } from '../helpers/child.js';
import { tempDir } from '../helpers/tmp.js';
import { exitOf, nextEvent, waitForOutput } from './helpers.js';

describe('agent → observer over real sockets', () => {
  it('beats from a child process arrive with the child’s pid, nonces from 1, timestamps non-decreasing', async () => {
    const sock = path.join(tempDir(), 'obs.sock');
    using observer = Observer.listen(sock, { stallAfterMs: 10_000 });
    const seen: { nonce: bigint; timestamp: bigint }[] = [];
    observer.on('join', (a) => seen.push({ nonce: a.nonce, timestamp: a.timestamp }));
    const child = startFixture('agent-beat.ts', [sock, '5', '5']);
    const out = await waitForOutput(child, '"sent":5');
    const pid = Number(/ready (\d+)/.exec(out)![1]);
    await exitOf(child);
    await expect.poll(() => observer.snapshot().agents.find((a) => a.pid === pid)?.beats).toBe(5);
    const agent = observer.snapshot().agents.find((a) => a.pid === pid)!;
    expect(agent.nonce).toBe(5n);
    expect(agent.status).toBe('ok');
    expect(agent.uid).toBe(process.getuid!());
    expect(seen[0]!.nonce).toBe(1n);
    expect(agent.timestamp).toBeGreaterThan(seen[0]!.timestamp);
    expect(observer.counters).toMatchObject({ accepted: 5, authFailures: 0, nonceRejected: 0 });
  });

  it('a dropped beat leaves no gap: the nonce is committed only when the kernel took the frame', async () => {
    const sock = path.join(tempDir(), 'gap.sock');
    const nonces: bigint[] = [];
    using receiver = DgramReceiver.listen(sock, { credentials: true });
    receiver.on('message', (data) => nonces.push(data.readBigUInt64LE(16)));
    receiver.pause();
    using agent = Agent.connect(sock);
    let sent = 0;
    let dropped = 0;
    for (let i = 0; i < 40; i++) {
      const o = agent.beat(Status.Ok, i);
      if (o.ok) sent++;
      else if (o.reason === 'kernel-queue-full') dropped++;
    }
    expect(dropped).toBeGreaterThan(0);
    expect(agent.nonce).toBe(BigInt(sent + 1));
    receiver.resume();
    await expect.poll(() => nonces.length).toBe(sent);
    for (const o of [agent.beat(), agent.beat()]) expect(o.ok).toBe(true);
    await expect.poll(() => nonces.length).toBe(sent + 2);
    expect(nonces).toEqual(Array.from({ length: sent + 2 }, (_, i) => BigInt(i + 1)));
    expect(agent.stats).toMatchObject({ sent: sent + 2, dropped });
  });

  it('v0.2 wraps from 0xFFFF…FFFE to 0 (never sending NONCE_TERMINAL) and the observer accepts the wrap', async () => {
    const sock = path.join(tempDir(), 'wrap.sock');
    using observer = Observer.listen(sock);
    using agent = Agent.connect(sock);
    agent.setNextNonce(NONCE_TERMINAL - 2n);
    expect(agent.beat().ok).toBe(true);
    expect(agent.beat().ok).toBe(true); // NONCE_TERMINAL - 1
    expect(agent.nonce).toBe(0n);
    expect(agent.beat().ok).toBe(true); // 0
    expect(agent.nonce).toBe(1n);
    await expect.poll(() => observer.counters.accepted).toBe(3);
    expect(observer.counters.nonceRejected).toBe(0);
    expect(observer.snapshot().agents[0]!.nonce).toBe(0n);
    expect(nonceAdvances(0xffffffff, 0xfffffffe, 0, 0)).toBe(true);
    expect(nonceAdvances(0, 5, 0, 5)).toBe(false);
    expect(nonceAdvances(0, 5, 0, 4)).toBe(false);
  });

  it('v0.1 caps the nonce at NONCE_TERMINAL-1 and an observer accepting v0.1 decodes its frames', async () => {
    const sock = path.join(tempDir(), 'v1.sock');
    using observer = Observer.listen(sock, { versions: [1, 2] });
    using agent = Agent.connect(sock, { version: 1 });
    expect(agent.beat(Status.Degraded, 2 ** 40).ok).toBe(true);
    agent.setNextNonce(NONCE_TERMINAL - 1n);
    agent.beat();
    expect(agent.nonce).toBe(NONCE_TERMINAL - 1n);
    agent.beat();
    expect(agent.nonce).toBe(NONCE_TERMINAL - 1n);
    await expect.poll(() => observer.counters.datagrams).toBe(3);
    const snap = observer.snapshot().agents[0]!;
    expect(snap.version).toBe(1);
    expect(observer.counters.nonceRejected).toBe(1); // the repeated capped nonce
  });

  it('refuses Stall and out-of-range payloads as invalid input', () => {
    const sock = path.join(tempDir(), 'bad.sock');
    using receiver = DgramReceiver.listen(sock);
    using agent = Agent.connect(sock);
    expect(() => agent.beat(Status.Stall)).toThrow(expect.objectContaining({ code: 'ERR_VLP_INVALID_STATUS' }));
    expect(() => agent.beat('stall')).toThrow('Stall is synthesized by observers');
    expect(() => agent.beat(Status.Ok, 2 ** 32)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => agent.beat(Status.Ok, -1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(agent.nonce).toBe(1n);
  });

  it('a killed agent stalls once, after the threshold; a new beat from it would recover it', async () => {
    const sock = path.join(tempDir(), 'stall.sock');
    const stallAfterMs = 300;
    using observer = Observer.listen(sock, { stallAfterMs });
    const child = startFixture('agent-beat.ts', [sock, '0', '20']);
    const pid = Number(/ready (\d+)/.exec(await waitForOutput(child, 'ready'))![1]);
    await expect.poll(() => observer.snapshot().agents.find((a) => a.pid === pid)?.beats ?? 0).toBeGreaterThan(2);
    const stalled = nextEvent(observer, 'stall', pid);
    child.kill('SIGKILL');
    await exitOf(child);
    const agent = await stalled;
    expect(agent.silentForMs).toBeGreaterThanOrEqual(stallAfterMs);
    // The timer checks every 25 ms; allow for a loaded machine, but a stall must not lag by seconds.
    expect(agent.silentForMs).toBeLessThan(stallAfterMs + 250);
    expect(agent.stalled).toBe(true);
    observer.checkStalls(performance.now() + 10_000);
    expect(observer.counters.stalls).toBe(1); // once per silence
  });

  it('stall threshold semantics: stalled exactly when now − lastSeen ≥ stallAfterMs; recovered on the next beat', async () => {
    const sock = path.join(tempDir(), 'exact.sock');
    using observer = Observer.listen(sock, { stallAfterMs: 60_000 });
    using agent = Agent.connect(sock);
    agent.beat();
    await expect.poll(() => observer.snapshot().agents.length).toBe(1);
    const { lastSeenMs } = observer.snapshot().agents[0]!;
    observer.checkStalls(lastSeenMs + 59_999);
    expect(observer.counters.stalls).toBe(0);
    const stalled = nextEvent(observer, 'stall');
    observer.checkStalls(lastSeenMs + 60_000);
    expect((await stalled).stalled).toBe(true);
    const recovered = nextEvent(observer, 'recovered');
    agent.beat();
    expect((await recovered).stalled).toBe(false);
  });

  it('a frame whose pid differs from the kernel-attested sender is dropped and counted', async () => {
    const sock = path.join(tempDir(), 'spoof.sock');
    using observer = Observer.listen(sock);
    using sender = DgramSender.connect(sock);
    const spoofed = encodeFrame({ version: 2, status: Status.Ok, pid: 4_000_000, timestamp: 1n, nonce: 1n, payload: 0n });
    expect(sender.send(spoofed).ok).toBe(true);
    await expect.poll(() => observer.counters.authFailures).toBe(1);
    expect(observer.snapshot().agents).toEqual([]);
  });

  it('corrupted, short, long and illegal datagrams are counted by kind; replays are rejected', async () => {
    const sock = path.join(tempDir(), 'junk.sock');
    using observer = Observer.listen(sock);
    using sender = DgramSender.connect(sock);
    const good = encodeFrame({ version: 2, status: Status.Ok, pid: process.pid, timestamp: 5n, nonce: 1n, payload: 0n });
    const withCrc = (bytes: Buffer) => {
      bytes.writeUInt32LE(referenceCrc32c(bytes.subarray(0, 28)), 28);
      return bytes;
    };
    const mutate = (f: (b: Buffer) => void, fixCrc = true) => {
      const b = Buffer.from(good);
      f(b);
      return fixCrc ? withCrc(b) : b;
    };
    const junk = [
      Buffer.alloc(31),
      Buffer.alloc(33),
      Buffer.alloc(500),
      mutate((b) => (b[0] = 0)),
      mutate((b) => (b[2] = 9)),
      mutate((b) => (b[10]! ^= 1), false),
      mutate((b) => (b[3] = 7)),
      mutate((b) => (b[3] = Status.Stall)),
      mutate((b) => b.writeUInt32LE(1, 4)),
      mutate((b) => b.writeBigUInt64LE(0xffff_ffff_ffff_ffffn, 8)),
      mutate((b) => b.writeBigUInt64LE(NONCE_TERMINAL, 16)),
    ];
    // One at a time: the kernel queue holds only ~11 datagrams.
    let sent = 0;
    for (const datagram of [...junk, good, good /* replay */]) {
      expect(sender.send(datagram).ok).toBe(true);
      sent++;
      await expect.poll(() => observer.counters.datagrams).toBe(sent);
    }
    expect(observer.counters.decodeErrors).toEqual({
      BadLength: 3,
      BadMagic: 1,
      BadVersion: 1,
      BadCrc: 1,
      BadStatus: 1,
      StallOnWire: 1,
      BadPid: 1,
      BadTimestamp: 1,
      BadNonce: 1,
    });
    expect(observer.counters).toMatchObject({ accepted: 1, nonceRejected: 1 });
    const metrics = observer.prometheus();
    expect(metrics).toContain('hostwire_vlp_decode_errors_total{kind="BadLength"} 3');
    expect(metrics).toContain('hostwire_vlp_nonce_rejected_total 1');
    expect(metrics).toContain(`hostwire_vlp_agent_status{pid="${process.pid}"} 0`);
  });

  it('an agent in a worker thread reports the process’s own pid, which the kernel confirms', async () => {
    const sock = path.join(tempDir(), 'worker.sock');
    using observer = Observer.listen(sock);
    const worker = new Worker(path.join(fixturesDir, 'worker-agent.cjs'), { workerData: { socket: sock } });
    const failure = new Promise<Error | null>((resolve) => {
      worker.once('error', resolve);
      worker.once('exit', () => resolve(null));
    });
    expect(await failure).toBeNull();
    await expect.poll(() => observer.counters.accepted).toBe(1);
    expect(observer.snapshot().agents[0]!.pid).toBe(process.pid);
  });

  it('reconnectAfter: after n consecutive drops the agent reconnects to a restarted observer and retries once', async () => {
    const sock = path.join(tempDir(), 'reconnect.sock');
    const first = Observer.listen(sock);
    using agent = Agent.connect(sock, { reconnectAfter: 2 });
    expect(agent.beat().ok).toBe(true);
    first.close();
    using second = Observer.listen(sock);
    expect(agent.beat().reason).toBe('peer-gone'); // drop 1: still tied to the old socket
    const retried = agent.beat(); // drop 2 → reconnect → retry succeeds
    expect(retried.ok).toBe(true);
    expect(agent.stats).toMatchObject({ reconnects: 1, dropped: 2, sent: 2 });
    await expect.poll(() => second.counters.accepted).toBe(1);
  });
});
