// `npm run bench`: every figure is a median of several runs with min–max,
// measured side by side in one run against the C limit and the peers.
//   npm run bench              full run (the figures quoted in the README)
//   npm run bench -- --quick   fewer, shorter runs, for a smoke check
//   npm run bench -- --only machines   one section (dgram, heartbeat, machines, netlink)
//   sudo npm run bench -- --only netlink   rtnetlink in a throwaway network namespace (root only)
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchDgram } from './dgram.js';
import { benchHeartbeat } from './heartbeat.js';
import { benchMachines } from './machines.js';
import { benchNetlink } from './netlink.js';
import { outDir } from './lib/processes.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const quick = values.quick === true;
const wanted = (section: string) => values.only === undefined || values.only.split(',').includes(section);

const sections: string[] = [];
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
sections.push(
  `hostwire bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length} × ${cpu}, Linux ${os.release()}`,
);

if (wanted('dgram')) {
  sections.push(
    await benchDgram({
      runs: quick ? 3 : 7,
      sendsPerRun: quick ? 50_000 : 300_000,
      memorySends: quick ? 200_000 : 1_000_000,
    }),
  );
}
if (wanted('heartbeat')) {
  sections.push(
    await benchHeartbeat({
      runs: quick ? 3 : 7,
      beatsPerRun: quick ? 50_000 : 300_000,
      memoryBeats: quick ? 200_000 : 1_000_000,
      blastSeconds: quick ? 1 : 2,
    }),
  );
}
if (wanted('machines')) {
  sections.push(benchMachines({ runs: quick ? 3 : 7, saves: quick ? 50 : 200, machines: 1000 }));
}
if (wanted('netlink')) {
  if (process.getuid?.() === 0) {
    sections.push(
      benchNetlink({
        runs: quick ? 3 : 7,
        routeOps: quick ? 2_000 : 20_000,
        fdbOps: quick ? 1_000 : 5_000,
        spawnOps: quick ? 30 : 300,
        checkCalls: quick ? 5 : 15,
        tableSizes: [100, 100_000],
      }),
    );
  } else {
    sections.push(
      'netlink: skipped — needs root (it creates a network namespace with `ip netns add`); run `sudo npm run bench -- --only netlink`',
    );
  }
}

const report = sections.join('\n\n');
console.log(report);
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, 'results.md'), `${report}\n`);
