// Heartbeats: beat vs the C limit vs what a user would build; observer
// throughput and idle cost; codec alone.
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
    const scavenges = runCase<{ scavenges: number }>('beat.ts', ['hostwire', drainPath, String(options.memoryBeats), 'memory'], [], 0).scavenges;
    const s = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summarize(v)]));
    const c = s.c!.median;
    const hw = s.hostwire!.median;
    sections.push(
      table(
        [`heartbeat: encode + CRC-32C + send (${options.runs} runs × ${options.beatsPerRun.toLocaleString('en')})`, 'median ns/beat (min–max)', '× C', '× hostwire'],
        [
          ['C loop: encode, SSE4.2 CRC-32C, send() (the limit)', formatSummary(s.c!, 'ns'), '1.00×', '—'],
          [`hostwire Agent.beat() — ${scavenges} scavenges over ${options.memoryBeats.toLocaleString('en')} beats`, formatSummary(s.hostwire!, 'ns'), formatRatio(hw / c), '1.00×'],
          ['JS-built Buffer frame + unix-dgram send()', formatSummary(s['js-unix-dgram']!, 'ns'), formatRatio(s['js-unix-dgram']!.median / c), formatRatio(s['js-unix-dgram']!.median / hw)],
          ['JS-built Buffer frame + node-unix-socket sendTo()', formatSummary(s['js-node-unix-socket']!, 'ns'), formatRatio(s['js-node-unix-socket']!.median / c), formatRatio(s['js-node-unix-socket']!.median / hw)],
        ],
      ),
    );
  } finally {
    await stop(drainer);
  }

  const blastRuns = Array.from({ length: Math.max(3, Math.floor(options.runs / 2)) }, (_, i) =>
    runCase<{ framesPerSec: number; datagramsPerSec: number; agents: number }>(
      'observer.ts',
      [blast, 'blast', '16', String(options.blastSeconds), path.join(outDir, `observer-${i}.sock`)],
      [],
      0,
    ),
  );
  const steady = runCase<{ cpuPercent: number; agents: number; framesPerSec: number }>(
    'observer.ts',
    [blast, 'steady', '1000', String(Math.max(3, options.blastSeconds * 2)), path.join(outDir, 'observer-steady.sock')],
    [],
    0,
  );
  const codec = runCase<Record<string, number>>('codec.ts', [String(options.beatsPerRun * 4)], [], 0);
  sections.push(
    table(
      ['observer and codec', 'median (min–max)'],
      [
        [
          `observer: frames/s decoded, pid-checked and tracked on one core (16 C senders on the other core, ${options.blastSeconds} s × ${blastRuns.length} runs)`,
          formatSummary(summarize(blastRuns.map((r) => r.framesPerSec)), 'frames/s'),
        ],
        [`observer: CPU for ${steady.agents} agents at 1 Hz (${Math.round(steady.framesPerSec)} frames/s)`, `${steady.cpuPercent.toFixed(2)} % of one core`],
        ['native encodeInto() (frame + CRC-32C)', `${codec.nativeEncode!.toFixed(0)} ns`],
        ['native decodeInto()', `${codec.nativeDecode!.toFixed(0)} ns`],
        ['TS reference encode (allocates a frame)', `${codec.referenceEncode!.toFixed(0)} ns`],
        ['TS reference decode (allocates a frame object)', `${codec.referenceDecode!.toFixed(0)} ns`],
      ],
    ),
  );
  return sections.join('\n\n');
}
