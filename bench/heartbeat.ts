// Heartbeats: beat vs the C limit vs what a user would build; observer
// throughput and idle cost; codec alone.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { compileC, outDir, pinned, runCase, runJson, startReady, stop } from './lib/processes.js';
import { formatRatio, formatSummary, summarize, table } from './lib/stats.js';

export interface HeartbeatBenchOptions {
  runs: number;
  beatsPerRun: number;
  memoryBeats: number;
  blastSeconds: number;
}

interface TimeResult {
  nsPerOp: number;
  sent: number;
}

const CLIENTS = ['hostwire', 'js-unix-dgram', 'js-node-unix-socket'] as const;

export async function benchHeartbeat(options: HeartbeatBenchOptions): Promise<string> {
  const drain = compileC('dgram_drain');
  const cBeat = compileC('vlp_beat', ['-msse4.2']);
  const blast = compileC('vlp_blast', ['-msse4.2']);
  const drainPath = path.join(outDir, 'beat-drain.sock');
  const drainer = await startReady(...pinned(1, drain, ['drain', drainPath]));
  const sections: string[] = [];
  try {
    const times: Record<string, number[]> = { c: [], hostwire: [], 'js-unix-dgram': [], 'js-node-unix-socket': [] };
    for (let run = 0; run < options.runs; run++) {
      times.c!.push(runJson<TimeResult>(...pinned(0, cBeat, [drainPath, String(options.beatsPerRun)])).nsPerOp);
      for (const client of CLIENTS) {
        times[client]!.push(runCase<TimeResult>('beat.ts', [client, drainPath, String(options.beatsPerRun), 'time'], [], 0).nsPerOp);
      }
    }
    const scavenges = runCase<{ scavenges: number }>(
      'beat.ts',
      ['hostwire', drainPath, String(options.memoryBeats), 'memory'],
      [],
      0,
    ).scavenges;
    const s = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summarize(v)]));
    const c = s.c!.median;
    const hw = s.hostwire!.median;
    sections.push(
      table(
        [
          `heartbeat: encode + CRC-32C + send (${options.runs} runs × ${options.beatsPerRun.toLocaleString('en')})`,
          'median ns/beat (min–max)',
          '× C',
          '× hostwire',
        ],
        [
          ['C loop: encode, SSE4.2 CRC-32C, send() (the limit)', formatSummary(s.c!, 'ns'), '1.00×', '—'],
          [
            `hostwire HeartbeatAgent.beat() — ${scavenges} scavenges over ${options.memoryBeats.toLocaleString('en')} beats`,
            formatSummary(s.hostwire!, 'ns'),
            formatRatio(hw / c),
            '1.00×',
          ],
          [
            'JS-built Buffer frame + unix-dgram send()',
            formatSummary(s['js-unix-dgram']!, 'ns'),
            formatRatio(s['js-unix-dgram']!.median / c),
            formatRatio(s['js-unix-dgram']!.median / hw),
          ],
          [
            'JS-built Buffer frame + node-unix-socket sendTo()',
            formatSummary(s['js-node-unix-socket']!, 'ns'),
            formatRatio(s['js-node-unix-socket']!.median / c),
            formatRatio(s['js-node-unix-socket']!.median / hw),
          ],
        ],
      ),
    );
  } finally {
    await stop(drainer);
  }

  // The C limit and the hostwire observer take turns, on the same load.
  const observe = compileC('vlp_observe', ['-msse4.2']);
  const blastRuns: { framesPerSec: number; cpuPercent: number }[] = [];
  const limitRuns: { framesPerSec: number; cpuPercent: number }[] = [];
  for (let i = 0; i < Math.max(3, Math.floor(options.runs / 2)); i++) {
    limitRuns.push(await observerLimit(observe, blast, options.blastSeconds, path.join(outDir, `observer-c-${i}.sock`)));
    blastRuns.push(
      runCase<{ framesPerSec: number; datagramsPerSec: number; cpuPercent: number; agents: number }>(
        'observer.ts',
        [blast, 'blast', '16', String(options.blastSeconds), path.join(outDir, `observer-${i}.sock`)],
        [],
        0,
      ),
    );
  }
  const limit = summarize(limitRuns.map((r) => r.framesPerSec));
  const observed = summarize(blastRuns.map((r) => r.framesPerSec));
  const cpu = (runs: { cpuPercent: number }[]) => `${summarize(runs.map((r) => r.cpuPercent)).median.toFixed(0)} % CPU`;
  const steady = runCase<{ cpuPercent: number; agents: number; framesPerSec: number }>(
    'observer.ts',
    [blast, 'steady', '1000', String(Math.max(3, options.blastSeconds * 2)), path.join(outDir, 'observer-steady.sock')],
    [],
    0,
  );
  const codec = runCase<Record<string, number>>('codec.ts', [String(options.beatsPerRun * 4)], [], 0);
  sections.push(
    table(
      ['observer and codec', 'median (min–max)', '× C'],
      [
        [
          `C loop: recvmmsg batches, decode + CRC-32C + pid check on one core (the limit; same 16 senders, ${options.blastSeconds} s × ${limitRuns.length} runs; ${cpu(limitRuns)})`,
          formatSummary(limit, 'frames/s'),
          '1.00×',
        ],
        [
          `observer: frames/s decoded, pid-checked and tracked on one core (16 C senders on the other core, ${options.blastSeconds} s × ${blastRuns.length} runs; ${cpu(blastRuns)})`,
          formatSummary(observed, 'frames/s'),
          formatRatio(limit.median / observed.median), // time per frame, as in the other tables
        ],
        [
          `observer: CPU for ${steady.agents} agents at 1 Hz (${Math.round(steady.framesPerSec)} frames/s)`,
          `${steady.cpuPercent.toFixed(2)} % of one core`,
          '—',
        ],
        ['native encodeInto() (frame + CRC-32C)', `${codec.nativeEncode!.toFixed(0)} ns`, '—'],
        ['native decodeInto()', `${codec.nativeDecode!.toFixed(0)} ns`, '—'],
        ['TS reference encode (allocates a frame)', `${codec.referenceEncode!.toFixed(0)} ns`, '—'],
        ['TS reference decode (allocates a frame object)', `${codec.referenceDecode!.toFixed(0)} ns`, '—'],
      ],
    ),
  );
  return sections.join('\n\n');
}

/**
 * The observer's C limit (bench/c/vlp_observe.c) on CPU 0 under the same
 * load as bench/cases/observer.ts: vlp_blast's 16 senders on CPU 1, 500 ms
 * of warm-up, then `seconds` measured.
 */
async function observerLimit(
  observe: string,
  blast: string,
  seconds: number,
  socketPath: string,
): Promise<{ framesPerSec: number; cpuPercent: number }> {
  const [command, args] = pinned(0, observe, [socketPath, '0.5', String(seconds)]);
  const limit = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  limit.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = once(limit, 'exit');
  while (!out.includes('ready')) {
    if (limit.exitCode !== null) throw new Error(`vlp_observe exited (${limit.exitCode}) before it was ready`);
    await new Promise((r) => setTimeout(r, 10));
  }
  // Its own process group, so that stopping it stops its 16 senders too.
  const load = spawn(...pinned(1, blast, ['blast', '16', socketPath, String(seconds + 2)]), {
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  await exited;
  const stopped = once(load, 'exit');
  process.kill(-load.pid!, 'SIGTERM');
  await stopped;
  return JSON.parse(out.trim().split('\n').at(-1)!) as { framesPerSec: number; cpuPercent: number };
}
