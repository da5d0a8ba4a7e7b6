import type { MachineConfig, MachineName } from '../../src/machines/index.js';

/** A config whose every field follows from `version`, so a torn mix is detectable. */
export function versionOf(name: string, version: number): MachineConfig {
  return {
    name: name as MachineName,
    cpus: (version % 16) + 1,
    memoryMb: version,
    diskGb: version * 2,
    // Long enough that a write spans several pages.
    cmdline: `console=ttyS0 v=${version} ${'x'.repeat(6000 + (version % 500))}`,
    state: version % 2 ? 'running' : 'stopped',
    vmId: '2f0d4c1e-8a59-4d59-9a0b-0c5f7b3c1d2e',
    createdAt: '2026-01-02T03:04:05.678Z',
  };
}

/** True when `config` is exactly one of the versions `versionOf` writes. */
export function isSomeVersion(config: MachineConfig): boolean {
  const expected = versionOf(config.name, config.memoryMb);
  const persistedState = expected.state === 'running' ? 'stopped' : expected.state; // running loads as stopped
  return (
    config.cpus === expected.cpus &&
    config.diskGb === expected.diskGb &&
    config.cmdline === expected.cmdline &&
    config.state === persistedState &&
    config.vmId === expected.vmId &&
    config.createdAt === expected.createdAt
  );
}
