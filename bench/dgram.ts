// Datagram send: hostwire vs the C limit vs the peers a user would pick.
import path from 'node:path';
import { compileC, outDir, pinned, runCase, runJson, startReady, stop } from './lib/processes.js';
import { formatRatio, formatSummary, summarize, table, type Summary } from './lib/stats.js';

interface TimeResult {
  nsPerOp: number;
  sent: number;
  dropped: number;
}

interface MemoryResult {
  scavenges: number;
  rssGrowthMB: number;
  sent: number;
  dropped: number;
}

export interface DgramBenchOptions {
  runs: number;
  sendsPerRun: number;
  memorySends: number;
}

const CLIENTS = ['hostwire', 'unix-dgram', 'node-unix-socket'] as const;
// Senders run on CPU 0 and the draining receiver on CPU 1, so on a 2-core
// machine the two never fight for a core.

export async function benchDgram(options: DgramBenchOptions): Promise<string> {
  const drain = compileC('dgram_drain');
  const cSend = compileC('dgram_send');
  const drainPath = path.join(outDir, 'drain.sock');
  const holdPath = path.join(outDir, 'hold.sock');
  const drainer = await startReady(...pinned(1, drain, ['drain', drainPath]));
  const holder = await startReady(drain, ['hold', holdPath]);
  try {
    const times: Record<string, number[]> = { c: [] };
    const sentShare: Record<string, number[]> = { c: [] };
    for (const client of CLIENTS) {
      times[client] = [];
      sentShare[client] = [];
    }
    // Round-robin so drift on a shared machine touches every contender alike.
    for (let run = 0; run < options.runs; run++) {
      const c = runJson<TimeResult>(...pinned(0, cSend, [drainPath, String(options.sendsPerRun)]));
      times.c!.push(c.nsPerOp);
      sentShare.c!.push(c.sent / options.sendsPerRun);
      for (const client of CLIENTS) {
        const r = runCase<TimeResult>('dgram-send.ts', [client, drainPath, String(options.sendsPerRun), 'time'], [], 0);
        times[client]!.push(r.nsPerOp);
        sentShare[client]!.push(r.sent / options.sendsPerRun);
      }
    }
    const overhead = summarize(
      Array.from(
        { length: options.runs },
        () => runCase<TimeResult>('dgram-send.ts', ['hostwire', drainPath, String(options.sendsPerRun * 4), 'overhead'], [], 0).nsPerOp,
      ),
    );
    const memory: Record<string, { drain: MemoryResult; hold: MemoryResult }> = {};
    for (const client of CLIENTS) {
      const args = (p: string) => [client, p, String(options.memorySends), 'memory'];
      memory[client] = {
        drain: runCase<MemoryResult>('dgram-send.ts', args(drainPath), ['--expose-gc'], 0),
        hold: runCase<MemoryResult>('dgram-send.ts', args(holdPath), ['--expose-gc']),
      };
    }

    const summaries = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summarize(v)])) as Record<string, Summary>;
    const hw = summaries.hostwire!.median;
    const rows = [
      ['C loop: send() on a connected non-blocking socket (the limit)', 'c'],
      ['hostwire DgramSender.send()', 'hostwire'],
      ['unix-dgram connected send()', 'unix-dgram'],
      ['node-unix-socket sendTo()', 'node-unix-socket'],
    ].map(([label, key]) => {
      const s = summaries[key!]!;
      const m = memory[key!];
      const share = summarize(sentShare[key!]!).median;
      return [
        label!,
        formatSummary(s, 'ns'),
        `${(share * 100).toFixed(1)}%`,
        key === 'c' ? '1.00×' : formatRatio(s.median / summaries.c!.median),
        key === 'hostwire' || key === 'c' ? '—' : formatRatio(s.median / hw),
        m ? String(m.drain.scavenges) : '—',
        m ? `${m.drain.rssGrowthMB.toFixed(1)} MB` : '—',
        m ? `${m.hold.rssGrowthMB.toFixed(1)} MB` : '—',
      ];
    });
    const header = [
      `32-byte datagram send (${options.runs} runs × ${options.sendsPerRun.toLocaleString('en')} sends)`,
      'median ns/send (min–max)',
      'sent',
      '× C',
      '× hostwire',
      `scavenges / ${options.memorySends.toLocaleString('en')} sends`,
      'RSS growth, draining',
      'RSS growth, never read',
    ];
    rows.push([
      'hostwire send() on a closed sender: JS → N-API → C++ with no syscall',
      formatSummary(overhead, 'ns'),
      '—',
      '—',
      '—',
      '—',
      '—',
      '—',
    ]);
    return table(header, rows);
  } finally {
    await stop(drainer);
    await stop(holder);
  }
}
