// rtnetlink: route replace and bridge FDB dump in a throwaway network
// namespace — hostwire vs the C limit vs shelling out to iproute2 vs the
// `netlink` npm package — and what a route check costs as the routing table
// grows. Needs root (ip netns add, setns).
import { addForeignRoutes, createBenchNetns } from './lib/netns.js';
import { compileC, pinned, runCase, runCaseInNetns, runJson } from './lib/processes.js';
import { formatSummary, summarize, table, type Summary } from './lib/stats.js';

export interface NetlinkBenchOptions {
  runs: number;
  /** Route replaces per run, for C, hostwire and the netlink package. */
  routeOps: number;
  /** FDB dumps per run, for C, hostwire and the netlink package. */
  fdbOps: number;
  /** Operations per run for the execFile peer (each spawns ip or bridge: milliseconds). */
  spawnOps: number;
  /** Calls of each operation in the route-check case, per table size. */
  checkCalls: number;
  /** Foreign routes in the main table for the route-check case: a small table, then a large one. */
  tableSizes: number[];
}

type Op = 'route' | 'fdb';
const OPS: Op[] = ['route', 'fdb'];
const CONTENDERS = ['c', 'hostwire', 'spawn', 'netlink'] as const;
type Contender = (typeof CONTENDERS)[number];

interface CaseResult {
  nsPerOp: number[];
  entries?: number;
}

// Every contender runs on CPU 0: the kernel does the work in the caller's
// context (sendmsg/recvmsg), so the whole operation stays on one core.
const CPU = 0;

/** One run of bench/cases/netlink-hostwire.ts: it runs in the host namespace and opens its socket in `netns`. */
function runHostwireCase(netns: string, op: Op, runs: number, ops: number): CaseResult {
  return runCase<CaseResult>('netlink-hostwire.ts', [netns, op, String(runs), String(ops)], [], CPU);
}

function formatUs(s: Summary): string {
  return formatSummary(s, 'µs', s.median < 100 ? 1 : 0);
}

function formatTimes(ratio: number): string {
  return `${ratio.toFixed(ratio < 100 ? 2 : 0)}×`;
}

interface CheckResult {
  ops: Record<CheckOp, { ms: number[]; loopBusyMs: number[]; blockedMs: number[] }>;
  idleBlockedMs: number[];
}
type CheckOp = 'check' | 'destinationsAsync' | 'listRoutesAsync' | 'listRoutes';

const CHECK_LABELS: Record<CheckOp, string> = {
  check: 'route check — RouteManager.reconcile(), route in place',
  destinationsAsync: 'what it reads — listRoutesAsync({ destinations: subnet + halves })',
  listRoutesAsync: 'whole table — listRoutesAsync()',
  listRoutes: 'whole table — listRoutes() (synchronous)',
};

const formatMs = (s: Summary) => formatSummary(s, 'ms', s.median < 10 ? 2 : 1);

/**
 * The route-check case: for each table size, foreign routes are added to the
 * namespace's main table and one process times each operation. Not pinned:
 * an async dump runs on a threadpool thread beside the event loop.
 */
function benchRouteCheck(netns: string, options: NetlinkBenchOptions): string {
  const rows: string[][] = [];
  let present = 0;
  for (const size of options.tableSizes) {
    addForeignRoutes(netns, present, size);
    present = size;
    const r = runCase<CheckResult>('netlink-check.ts', [netns, String(options.checkCalls)], ['--expose-gc']);
    const table = `${size.toLocaleString('en')} routes`;
    for (const op of Object.keys(CHECK_LABELS) as CheckOp[]) {
      const blocked = summarize(r.ops[op].blockedMs);
      rows.push([
        `${CHECK_LABELS[op]}, ${table}`,
        formatMs(summarize(r.ops[op].ms)),
        formatMs(summarize(r.ops[op].loopBusyMs)),
        `${blocked.min.toFixed(2)} ms (median ${blocked.median.toFixed(2)})`,
      ]);
    }
    const idle = summarize(r.idleBlockedMs);
    rows.push([
      `ticker alone over 20 ms (the machine's noise), ${table}`,
      '—',
      '—',
      `${idle.min.toFixed(2)} ms (median ${idle.median.toFixed(2)})`,
    ]);
  }
  return table(
    [
      `route check as the main table grows (${options.checkCalls} calls each; foreign routes added with ip -batch)`,
      'median ms/call (min–max)',
      'event loop busy per call',
      'longest loop stall per call: least (median)',
    ],
    rows,
  );
}

export function benchNetlink(options: NetlinkBenchOptions): string {
  const cBinary: Record<Op, string> = { route: compileC('nl_route_replace'), fdb: compileC('nl_fdb_dump') };
  const opsFor = (op: Op) => (op === 'route' ? options.routeOps : options.fdbOps);

  const times = Object.fromEntries(OPS.map((op) => [op, Object.fromEntries(CONTENDERS.map((c) => [c, [] as number[]]))])) as Record<
    Op,
    Record<Contender, number[]>
  >;
  const entries: Partial<Record<Contender, number>> = {};

  const netns = createBenchNetns();
  let checkTable: string;
  try {
    // Round-robin, every contender in a fresh process each run, all on the
    // same namespace, so drift on a shared machine touches them alike.
    for (let run = 0; run < options.runs; run++) {
      for (const op of OPS) {
        const ops = String(opsFor(op));
        const c = runJson<{ nsPerOp: number; entries?: number }>(...pinned(CPU, cBinary[op], [netns.name, ops]));
        times[op].c.push(c.nsPerOp);
        const results: [Contender, CaseResult][] = [
          ['spawn', runCase<CaseResult>('netlink-spawn.ts', [netns.name, op, '1', String(options.spawnOps)], [], CPU)],
          ['netlink', runCaseInNetns<CaseResult>(netns.name, 'netlink-peer.ts', [op, '1', ops], [], CPU)],
          ['hostwire', runHostwireCase(netns.name, op, 1, opsFor(op))],
        ];
        for (const [who, r] of results) times[op][who].push(...r.nsPerOp);
        if (op === 'fdb') {
          entries.c = c.entries;
          for (const [who, r] of results) entries[who] = r.entries;
        }
      }
    }
    checkTable = benchRouteCheck(netns.name, options);
  } finally {
    netns.cleanup();
  }

  const us = (values: number[]) => summarize(values.map((v) => v / 1000));
  const fdbEntries = entries.c ?? 0;
  // Every contender must have seen the same dump; say so where one did not.
  const sawOther = (who: Contender) =>
    entries[who] !== undefined && entries[who] !== fdbEntries ? ` — saw ${entries[who]} entries, not ${fdbEntries}` : '';

  const labels: Record<Op, Record<Contender, string>> = {
    route: {
      c: 'route replace — C loop: RTM_NEWROUTE create+replace, ack (the limit)',
      hostwire: 'route replace — hostwire Netlink.replaceRoute()',
      spawn: 'route replace — execFile ip -n NS route replace',
      netlink: 'route replace — netlink package newRoute(), create+replace',
    },
    fdb: {
      c: 'FDB dump — C loop: AF_BRIDGE RTM_GETNEIGH dump, parsed (the limit)',
      hostwire: 'FDB dump — hostwire Netlink.listFdb()',
      spawn: 'FDB dump — execFile bridge -n NS -j fdb show + JSON.parse',
      netlink: 'FDB dump — netlink package getNeighbors({ family: AF_BRIDGE })',
    },
  };

  const rows: string[][] = [];
  for (const op of OPS) {
    const s = Object.fromEntries(CONTENDERS.map((c) => [c, us(times[op][c])])) as Record<Contender, Summary>;
    const c = s.c;
    const hw = s.hostwire;
    for (const who of CONTENDERS) {
      const label = labels[op][who] + (op === 'fdb' ? sawOther(who) : '');
      const mine = s[who];
      const faster = who === 'spawn' || who === 'netlink' ? formatTimes(mine.median / hw.median) : '—';
      rows.push([label, formatUs(mine), formatTimes(mine.median / c.median), faster]);
    }
  }
  const opsTable = table(
    [
      `rtnetlink in a network namespace (${options.runs} runs × ${options.routeOps.toLocaleString('en')} route replaces / ` +
        `${options.fdbOps.toLocaleString('en')} dumps of ${fdbEntries} FDB entries; execFile: ${options.spawnOps} ops)`,
      'median µs/op (min–max)',
      '× C',
      'hostwire is N× faster',
    ],
    rows,
  );
  return `${opsTable}\n\n${checkTable}`;
}
