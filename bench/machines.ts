// Machine store: durable save vs write-file-atomic doing the same fsyncs vs
// the C limit; non-durable save; loadAll of many machines.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { compileC, outDir, runCase, runJson } from './lib/processes.js';
import { formatRatio, formatSummary, summarize, table } from './lib/stats.js';

export interface MachinesBenchOptions {
  runs: number;
  saves: number;
  machines: number;
}

interface CaseResult {
  durable: number[];
  writeFileAtomic: number[];
  nonDurable: number[];
  loadAllMs: number[];
  bytes: number;
}

export function benchMachines(options: MachinesBenchOptions): string {
  const cWrite = compileC('durable_write');
  // On the same filesystem as the JS cases (bench/.out), so fsync costs compare.
  const work = path.join(outDir, 'machines');
  const js = runCase<CaseResult>('machines.ts', [work, String(options.runs), String(options.saves), String(options.machines)]);
  const cDir = path.join(outDir, 'durable-c');
  const c: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    rmSync(cDir, { recursive: true, force: true });
    mkdirSync(cDir, { recursive: true });
    c.push(runJson<{ nsPerOp: number }>(cWrite, [cDir, String(options.saves), String(js.bytes)]).nsPerOp);
  }
  rmSync(cDir, { recursive: true, force: true });

  const us = (values: number[]) => summarize(values.map((v) => v / 1000));
  const cS = us(c);
  const durable = us(js.durable);
  const peer = us(js.writeFileAtomic);
  const fast = us(js.nonDurable);
  const loadAll = summarize(js.loadAllMs);
  const rows = [
    ['C loop: temp + write + fsync + rename + fsync dir (the limit)', formatSummary(cS, 'µs'), '1.00×', '—'],
    ['hostwire MachineStore.save(), durable', formatSummary(durable, 'µs'), formatRatio(durable.median / cS.median), '1.00×'],
    [
      'write-file-atomic (fsync) + fsync dir, same TOML',
      formatSummary(peer, 'µs'),
      formatRatio(peer.median / cS.median),
      formatRatio(peer.median / durable.median),
    ],
    ['hostwire MachineStore.save(), durable: false', formatSummary(fast, 'µs'), '—', '—'],
    [`hostwire loadAll() of ${options.machines.toLocaleString('en')} machines`, formatSummary(loadAll, 'ms', 1), '—', '—'],
  ];
  return table(
    [
      `machine config writes (${options.runs} runs × ${options.saves} saves, ${js.bytes}-byte config)`,
      'median (min–max)',
      '× C',
      '× hostwire',
    ],
    rows,
  );
}
