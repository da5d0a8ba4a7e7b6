// What a route check costs as the routing table grows: RouteManager.reconcile()
// with the route already in place (what a watcher runs every 30 s and on
// every relevant change), and the dumps it could be built on. Runs in the
// host namespace; its sockets open in NETNS, whose main table holds the
// foreign routes the bench added.
//   node --expose-gc --import tsx bench/cases/netlink-check.ts NETNS CALLS
// For each operation, per call: wall time; the time the event loop was busy
// with it (performance.eventLoopUtilization(): the loop's whole share of the
// call, so no single stretch of it can hold the loop longer); and, in a second
// call with a setImmediate ticker alongside, the longest the loop went
// without turning — which also counts time the OS gave the CPU to other
// processes, so the least over the calls is the telling one.
// Prints {ops: {name: {ms: number[], loopBusyMs: number[], blockedMs: number[]}}, idleBlockedMs: number[]}.
import { performance } from 'node:perf_hooks';
import { Netlink } from '../../src/netlink/index.js';
import { RouteManager } from '../../src/routing/index.js';

const [netns, callsText] = process.argv.slice(2) as [string, string];
const calls = Number(callsText);

/** Runs `work` once alone; returns its wall time and how long the event loop was busy meanwhile, in ms. */
async function measureBusy(work: () => unknown): Promise<{ ms: number; loopBusyMs: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const loop = performance.eventLoopUtilization();
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  return { ms, loopBusyMs: performance.eventLoopUtilization(loop).active };
}

/** Runs `work` once with a ticker beside it; returns its wall time and the longest gap between ticks, in ms. */
async function measure(work: () => unknown): Promise<{ ms: number; blockedMs: number }> {
  // A clean heap, so no call pays for collecting what an earlier one left (a whole-table dump leaves ~30 MB).
  (globalThis as { gc?: () => void }).gc?.();
  let longest = 0;
  let last = performance.now();
  let ticking = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  await new Promise((resolve) => setImmediate(resolve)); // the ticker is running
  const started = performance.now();
  last = started;
  await work();
  const ms = performance.now() - started;
  longest = Math.max(longest, performance.now() - last); // a synchronous call is one long gap
  ticking = false;
  return { ms, blockedMs: longest };
}

const manager = new RouteManager({ netns });
await manager.ensureRouteForBridge('br0'); // in place: each check then only reads
const nl = Netlink.open({ netns });
const destinations = [
  { dst: '172.16.0.0', prefix: 12 },
  { dst: '172.16.0.0', prefix: 13 },
  { dst: '172.24.0.0', prefix: 13 },
];

const operations: Record<string, () => unknown> = {
  check: async () => {
    const state = await manager.reconcile({ bridge: 'br0' });
    if (state.changed) throw new Error('the check changed something: the route was not in place');
  },
  listRoutes: () => nl.listRoutes({ family: 4 }),
  listRoutesAsync: () => nl.listRoutesAsync({ family: 4 }),
  destinationsAsync: () => nl.listRoutesAsync({ family: 4, destinations }),
};

const ops: Record<string, { ms: number[]; loopBusyMs: number[]; blockedMs: number[] }> = {};
const idleBlockedMs: number[] = [];
for (const name of Object.keys(operations)) ops[name] = { ms: [], loopBusyMs: [], blockedMs: [] };
for (const op of Object.values(operations)) await op(); // warm up: JIT, first socket opens
for (let i = 0; i < calls; i++) {
  for (const [name, op] of Object.entries(operations)) {
    const alone = await measureBusy(op);
    ops[name]!.ms.push(alone.ms);
    ops[name]!.loopBusyMs.push(alone.loopBusyMs);
    ops[name]!.blockedMs.push((await measure(op)).blockedMs);
  }
  // The noise floor: the same ticker over a quiet 20 ms.
  idleBlockedMs.push((await measure(() => new Promise((resolve) => setTimeout(resolve, 20)))).blockedMs);
}
nl.close();
await manager.close();
console.log(JSON.stringify({ ops, idleBlockedMs }));
