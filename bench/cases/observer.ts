// The observer under load, in its own process (pinned by the harness):
//   node --import tsx bench/cases/observer.ts BLAST_BINARY blast|steady N SECONDS SOCKET
// blast: N sender processes flood valid frames; reports frames/s decoded and tracked.
// steady: N agents at 1 Hz; reports the observer's CPU use.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { HeartbeatObserver } from '../../src/heartbeat/index.js';

const [binary, mode, nText, secondsText, socketPath] = process.argv.slice(2) as [string, 'blast' | 'steady', string, string, string];
const seconds = Number(secondsText);
const observer = HeartbeatObserver.listen(socketPath, { verifyPid: mode === 'blast', stallAfterMs: 5000, maxAgents: 10_000 });
// Its own process group, so that stopping it stops every sender it forked (none may spill into the next run).
const load = spawn('taskset', ['-c', '1', binary, mode, nText, socketPath, String(seconds + 2)], {
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
});
await new Promise<void>((resolve) => load.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
await new Promise((r) => setTimeout(r, 500)); // let every sender get going
const c0 = observer.counters;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const c1 = observer.counters;
const stopped = once(load, 'exit');
process.kill(-load.pid!, 'SIGTERM');
await stopped;
const agents = observer.snapshot().agents.length;
observer.close();
console.log(
  JSON.stringify({
    framesPerSec: (c1.accepted - c0.accepted) / elapsed,
    datagramsPerSec: (c1.datagrams - c0.datagrams) / elapsed,
    rejected: c1.nonceRejected + c1.restartRejected + c1.authFailures + c1.uidRejected,
    cpuPercent: ((cpu.user + cpu.system) / 1e6 / elapsed) * 100,
    agents,
  }),
);
process.exit(0);
