// One heartbeat sender in its own process: COUNT beats to PATH.
//   node --import tsx bench/cases/beat.ts CLIENT PATH COUNT time|memory
// CLIENT: hostwire (HeartbeatAgent.beat) | js-unix-dgram | js-node-unix-socket — the
// obvious user-built alternative: a frame written in JS (Buffer, DataView
// writes, JS CRC-32C table) and sent through that package.
import * as peers from '../lib/peers.js';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { HeartbeatAgent } from '../../src/heartbeat/index.js';
import { SENT } from '../../src/dgram/index.js';
import { referenceCrc32c } from '../../src/vlp/index.js';

const [client, socketPath, countText, mode] = process.argv.slice(2) as [string, string, string, 'time' | 'memory'];
const count = Number(countText);
const origin = process.hrtime.bigint();

/** What a user writes without hostwire: one reused Buffer per beat. */
function jsFrame(): (nonce: bigint) => Buffer {
  const frame = Buffer.alloc(32);
  frame[0] = 0x56;
  frame[1] = 0x41;
  frame[2] = 2;
  frame.writeUInt32LE(process.pid, 4);
  return (nonce) => {
    frame[3] = 0;
    frame.writeBigUInt64LE(process.hrtime.bigint() - origin, 8);
    frame.writeBigUInt64LE(nonce, 16);
    frame.writeUInt32LE(0, 24);
    frame.writeUInt32LE(referenceCrc32c(frame.subarray(0, 28)), 28);
    return frame;
  };
}

function makeBurst(): (n: number) => number {
  if (client === 'hostwire') {
    const agent = HeartbeatAgent.connect(socketPath, { requireObserver: true });
    return (n) => {
      let dropped = 0;
      for (let i = 0; i < n; i++) if (agent.beat(0, 0) !== SENT) dropped++;
      return dropped;
    };
  }
  const build = jsFrame();
  let nonce = 1n;
  if (client === 'js-unix-dgram') {
    const unix = peers.unixDgram();
    const socket = unix.createSocket('unix_dgram');
    let dropped = 0;
    socket.on('error', () => dropped++);
    socket.on('congestion', () => dropped++);
    socket.connect(socketPath);
    return (n) => {
      const before = dropped;
      for (let i = 0; i < n; i++) {
        const d = dropped;
        socket.send(build(nonce));
        if (dropped === d) nonce++;
      }
      return dropped - before;
    };
  }
  const { DgramSocket } = peers.nodeUnixSocket();
  const socket = new DgramSocket();
  socket.on('error', () => {});
  return (n) => {
    for (let i = 0; i < n; i++) socket.sendTo(build(nonce++), 0, 32, socketPath);
    return 0;
  };
}

const burst = makeBurst();
burst(Math.ceil(count / 10));
if (mode === 'time') {
  const t0 = process.hrtime.bigint();
  const dropped = burst(count);
  const t1 = process.hrtime.bigint();
  console.log(JSON.stringify({ nsPerOp: Number(t1 - t0) / count, sent: count - dropped, dropped }));
} else {
  let scavenges = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if ((e as unknown as { detail: { kind: number } }).detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
  });
  observer.observe({ entryTypes: ['gc'] });
  burst(count);
  await new Promise((r) => setTimeout(r, 100));
  observer.disconnect();
  console.log(JSON.stringify({ scavenges }));
}
process.exit(0);
