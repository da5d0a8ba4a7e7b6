// The shell-out peer for the netlink section: what a daemon does without a
// netlink library — run iproute2 and read its output. In its own process:
//   node --import tsx bench/cases/netlink-spawn.ts NETNS OP RUNS OPS
// OP "route": await execFile('ip', ['-n', NETNS, 'route', 'replace', '10.77.0.0/16', 'dev', 'br0', ...]).
// OP "fdb":   await execFile('bridge', ['-n', NETNS, '-j', 'fdb', 'show']) and JSON.parse its output.
// Prints {nsPerOp: ns per operation for each run, entries: FDB entries seen (fdb)}.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { timeOps } from '../lib/op-loop.js';

const run = promisify(execFile);
const [netns, op, runsText, opsText] = process.argv.slice(2) as [string, 'route' | 'fdb', string, string];
const runs = Number(runsText);
const ops = Number(opsText);

const routeArgs = ['-n', netns, 'route', 'replace', '10.77.0.0/16', 'dev', 'br0', 'proto', '176', 'scope', 'link'];
const fdbArgs = ['-n', netns, '-j', 'fdb', 'show'];
let entries = 0;

const once: () => Promise<void> =
  op === 'route'
    ? async () => {
        await run('ip', routeArgs);
      }
    : async () => {
        const { stdout } = await run('bridge', fdbArgs, { maxBuffer: 1 << 24 });
        entries = (JSON.parse(stdout) as unknown[]).length;
      };

const nsPerOp = await timeOps(once, runs, ops);
console.log(JSON.stringify(op === 'fdb' ? { nsPerOp, entries } : { nsPerOp }));
