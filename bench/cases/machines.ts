// Machine store costs, in one process, contenders interleaved run by run:
//   node --import tsx bench/cases/machines.ts DIR RUNS SAVES MACHINES
// Prints {durable, writeFileAtomic, nonDurable: ns per save per run; loadAllMs: per run; bytes}.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { encodeConfig, MachineStore, type MachineConfig, type MachineName } from '../../src/machines/index.js';
import { syncDirectory } from '../../src/machines/durable-file.js';
import * as peers from '../lib/peers.js';

const writeFileAtomic = peers.writeFileAtomic();

const [dir, runsText, savesText, machinesText] = process.argv.slice(2) as [string, string, string, string];
const runs = Number(runsText);
const saves = Number(savesText);
const machineCount = Number(machinesText);

const sample = (name: string, i: number): MachineConfig => ({
  name: name as MachineName,
  cpus: 2 + (i % 4),
  memoryMb: 2048,
  diskGb: 20,
  kernel: '/var/lib/hostwire/vmlinuz',
  cmdline: 'console=hvc0 root=/dev/vda rw',
  distro: 'ubuntu',
  distroVersion: '24.04',
  diskPath: `/var/lib/hostwire/${name}/root.img`,
  sshKeyPath: '/home/me/.ssh/id_ed25519.pub',
  ipAddress: `172.16.${i >> 8}.${i & 255}`,
  state: 'running',
  vmId: '7d1c3a0e-5b2f-4e8a-9c61-1f2e3d4c5b6a',
  createdAt: '2026-03-04T05:06:07.089Z',
});

async function timePerOp(n: number, op: (i: number) => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await op(i);
  return Number(process.hrtime.bigint() - t0) / n;
}

rmSync(dir, { recursive: true, force: true });
const durableStore = await MachineStore.open(path.join(dir, 'durable'));
const fastStore = await MachineStore.open(path.join(dir, 'fast'), { durable: false });
const peerDir = path.join(dir, 'peer', 'vm');
mkdirSync(peerDir, { recursive: true, mode: 0o700 });
const peerFile = path.join(peerDir, 'config.toml');

const result = {
  durable: [] as number[],
  writeFileAtomic: [] as number[],
  nonDurable: [] as number[],
  loadAllMs: [] as number[],
  bytes: encodeConfig(sample('vm', 1)).length,
};
await durableStore.save(sample('vm', 0));
for (let run = 0; run < runs; run++) {
  result.durable.push(await timePerOp(saves, (i) => durableStore.save(sample('vm', i)).then(() => {})));
  // The same work by hand with write-file-atomic: encode, write temp + fsync + rename, then fsync the directory.
  result.writeFileAtomic.push(
    await timePerOp(saves, async (i) => {
      await writeFileAtomic(peerFile, encodeConfig(sample('vm', i)), { mode: 0o600, fsync: true });
      await syncDirectory(peerDir);
    }),
  );
  result.nonDurable.push(await timePerOp(saves * 5, (i) => fastStore.save(sample('vm', i)).then(() => {})));
}

await durableStore.close();
const manyDir = path.join(dir, 'many');
const many = await MachineStore.open(manyDir, { durable: false });
for (let i = 0; i < machineCount; i++) await many.save(sample(`vm-${i}`, i));
await many.close();
for (let run = 0; run < runs; run++) {
  const store = await MachineStore.open(manyDir, { durable: false });
  const t0 = process.hrtime.bigint();
  const { machines, errors } = await store.loadAll();
  result.loadAllMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (machines.length !== machineCount || errors.length > 0) throw new Error('loadAll lost machines');
  await store.close();
}
await fastStore.close();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(result));
