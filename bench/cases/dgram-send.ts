// One datagram client in its own process: sends COUNT 32-byte datagrams to
// PATH and prints one JSON line. MODE "time": ns per send after a warm-up.
// MODE "memory": GC scavenges and RSS growth across the COUNT sends.
// MODE "overhead" (hostwire only): sends on a closed sender, which make no
// syscall: the cost of the JS → N-API → C++ path alone.
//   node --import tsx bench/cases/dgram-send.ts CLIENT PATH COUNT MODE
import * as peers from '../lib/peers.js';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { DgramSender, SENT } from '../../src/dgram/index.js';

const [client, socketPath, countText, mode] = process.argv.slice(2) as [string, string, string, 'time' | 'memory' | 'overhead'];
const count = Number(countText);
const frame = Buffer.alloc(32, 7);

interface Client {
  /** Sends n datagrams; returns how many the client reported as not sent. */
  burst(n: number): number;
  /** Resolves when the client has nothing in flight (async peers). */
  settle(): Promise<void>;
}

function hostwire(): Client {
  const sender = DgramSender.connect(socketPath, { requireObserver: true });
  return {
    burst(n) {
      let dropped = 0;
      for (let i = 0; i < n; i++) if (sender.send(frame) !== SENT) dropped++;
      return dropped;
    },
    settle: async () => {},
  };
}

function unixDgram(): Client {
  const unix = peers.unixDgram();
  const socket = unix.createSocket('unix_dgram');
  let dropped = 0;
  socket.on('error', () => dropped++);
  socket.on('congestion', () => dropped++);
  socket.connect(socketPath);
  return {
    burst(n) {
      const before = dropped;
      for (let i = 0; i < n; i++) socket.send(frame);
      return dropped - before;
    },
    settle: async () => {},
  };
}

function nodeUnixSocket(): Client {
  const { DgramSocket } = peers.nodeUnixSocket();
  const socket = new DgramSocket();
  let inFlight = 0;
  let failed = 0;
  let waiter: (() => void) | null = null;
  socket.on('error', () => failed++);
  const done = (err?: Error) => {
    if (err) failed++;
    if (--inFlight === 0 && waiter) waiter();
  };
  return {
    burst(n) {
      const before = failed;
      for (let i = 0; i < n; i++) {
        inFlight++;
        socket.sendTo(frame, 0, frame.length, socketPath, done);
      }
      return failed - before;
    },
    settle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => (waiter = r))),
  };
}

if (mode === 'overhead') {
  const closed = DgramSender.connect(socketPath);
  closed.close();
  const burst = (n: number) => {
    let failed = 0;
    for (let i = 0; i < n; i++) if (closed.send(frame) !== SENT) failed++;
    return failed;
  };
  burst(count / 10);
  const t0 = process.hrtime.bigint();
  const failed = burst(count);
  const t1 = process.hrtime.bigint();
  console.log(JSON.stringify({ nsPerOp: Number(t1 - t0) / count, sent: 0, dropped: failed }));
  process.exit(0);
}

const make = { hostwire, 'unix-dgram': unixDgram, 'node-unix-socket': nodeUnixSocket }[client];
if (!make) throw new Error(`unknown client ${client}`);
const c = make();

if (mode === 'time') {
  c.burst(Math.ceil(count / 10));
  await c.settle();
  const t0 = process.hrtime.bigint();
  const dropped = c.burst(count);
  await c.settle();
  const t1 = process.hrtime.bigint();
  console.log(JSON.stringify({ nsPerOp: Number(t1 - t0) / count, sent: count - dropped, dropped }));
  process.exit(0);
} else {
  c.burst(10_000);
  let scavenges = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as unknown as { detail: { kind: number } }).detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  globalThis.gc?.();
  const rssBefore = process.memoryUsage.rss();
  const dropped = c.burst(count);
  // Give asynchronous peers a moment to show what they queued.
  await new Promise((r) => setTimeout(r, 300));
  const rssAfter = process.memoryUsage.rss();
  observer.disconnect();
  console.log(JSON.stringify({ scavenges, rssGrowthMB: (rssAfter - rssBefore) / 2 ** 20, sent: count - dropped, dropped }));
  process.exit(0);
}
