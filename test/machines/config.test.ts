import { describe, expect, it } from 'vitest';
import {
  decodeConfig,
  encodeConfig,
  fromPersistedState,
  MachineConfigError,
  toPersistedState,
  type MachineConfig,
  type MachineName,
} from '../../src/machines/index.js';

const full: MachineConfig = {
  name: 'web-01' as MachineName,
  cpus: 4,
  memoryMb: 8192,
  diskGb: 64,
  kernel: '/var/lib/vm/vmlinuz',
  cmdline: 'console=hvc0 root=/dev/vda rw quiet "quoted"',
  blockDevices: [
    { path: '/var/lib/vm/web-01/root.img', readOnly: false },
    { path: '/var/lib/vm/seed.iso', readOnly: true },
  ],
  distro: 'ubuntu',
  distroVersion: '24.04',
  diskPath: '/var/lib/vm/web-01/root.img',
  sshKeyPath: '/home/me/.ssh/id_ed25519.pub',
  ipAddress: '172.16.0.10',
  state: 'stopped',
  vmId: '7d1c3a0e-5b2f-4e8a-9c61-1f2e3d4c5b6a',
  createdAt: '2026-03-04T05:06:07.089Z',
};

describe('config TOML', () => {
  it('round-trips every field, with snake_case keys on disk', () => {
    const text = encodeConfig(full);
    for (const key of [
      'memory_mb',
      'disk_gb',
      'distro_version',
      'disk_path',
      'ssh_key_path',
      'ip_address',
      'vm_id',
      'created_at',
      '[[block_devices]]',
      'read_only',
    ]) {
      expect(text).toContain(key);
    }
    const { config, needsRecovery } = decodeConfig(text, '/x/config.toml');
    expect(config).toEqual(full);
    expect(needsRecovery).toBe(false);
  });

  it('round-trips a minimal config with the optional keys absent', () => {
    const minimal: MachineConfig = { name: 'm' as MachineName, cpus: 1, memoryMb: 512, diskGb: 0, state: 'created' };
    const text = encodeConfig(minimal);
    expect(text).not.toContain('kernel');
    expect(text).not.toContain('block_devices');
    expect(decodeConfig(text, 'c.toml').config).toEqual(minimal);
  });

  it.each([
    ['created', 'created', 'created', false],
    ['starting', 'running', 'stopped', true],
    ['running', 'running', 'stopped', true],
    ['stopping', 'stopped', 'stopped', false],
    ['stopped', 'stopped', 'stopped', false],
  ] as const)('live %s persists as %s and loads as %s (needsRecovery %s)', (live, persisted, loaded, recovery) => {
    expect(toPersistedState(live)).toBe(persisted);
    expect(fromPersistedState(persisted)).toEqual({ state: loaded, needsRecovery: recovery });
    const text = encodeConfig({ ...full, state: live });
    expect(text).toContain(`state = "${persisted}"`);
    const decoded = decodeConfig(text, 'c.toml');
    expect(decoded.config.state).toBe(loaded);
    expect(decoded.needsRecovery).toBe(recovery);
  });

  it('keeps keys it does not know, including tables and huge integers, and writes them back', () => {
    // A newer version's file: new top-level keys, a new table, a new key inside a block device.
    const text = `gpu_count = 2\nballoon = 18446744073709551615\n${encodeConfig(full).replace('read_only = true', 'read_only = true\ncache = "none"\nqueues = 4')}\n[network]\nmode = "bridged"\nmtu = 9000\nports = [22, { lo = 1, hi = -9223372036854775808 }]\n`;
    const { config } = decodeConfig(text, 'c.toml');
    expect(config.blockDevices?.[1]).toEqual({ path: '/var/lib/vm/seed.iso', readOnly: true, extra: { cache: 'none', queues: 4 } });
    expect(config.extra).toEqual({
      gpu_count: 2,
      balloon: 18446744073709551615n,
      network: { mode: 'bridged', mtu: 9000, ports: [22, { lo: 1, hi: -9223372036854775808n }] },
    });
    const again = decodeConfig(encodeConfig({ ...config, cpus: 8 }), 'c.toml').config;
    expect(again.cpus).toBe(8);
    expect(again.extra).toEqual(config.extra);
    expect(again.blockDevices).toEqual(config.blockDevices);
  });

  it('reads a created_at written as a TOML date-time literal', () => {
    const text = encodeConfig(full).replace('created_at = "2026-03-04T05:06:07.089Z"', 'created_at = 2026-03-04T05:06:07.089Z');
    expect(decodeConfig(text, 'c.toml').config.createdAt).toBe('2026-03-04T05:06:07.089Z');
  });

  function decodeError(text: string): MachineConfigError {
    try {
      decodeConfig(text, '/state/machines/web-01/config.toml');
    } catch (err) {
      expect(err).toBeInstanceOf(MachineConfigError);
      return err as MachineConfigError;
    }
    throw new Error('expected a MachineConfigError');
  }

  it('a file that does not parse: the error names the path, line and column', () => {
    const err = decodeError('name = "web-01"\ncpus = 2\nmemory_mb = [1,\n');
    expect(err.code).toBe('ERR_MACHINE_CONFIG');
    expect(err.path).toBe('/state/machines/web-01/config.toml');
    expect(err.line).toBe(4);
    expect(err.message).toMatch(/^\/state\/machines\/web-01\/config\.toml:4:\d+: invalid TOML/);
  });

  // One integer rule for cpus, memory_mb and disk_gb: a TOML integer within ±(2^53-1), at least the key's minimum.
  // Lines in encodeConfig(full): cpus 2, memory_mb 3, disk_gb 4.
  it.each([
    ['cpus = "four"', 'cpus: "four" is a string, not an integer', 2],
    ['cpus = "4"', 'cpus: "4" is a string, not an integer', 2],
    ['cpus = 1.5', 'cpus: 1.5 is not an integer', 2],
    ['cpus = 1.0', 'cpus: 1.0 is not an integer (write 1)', 2],
    ['cpus = 2e0', 'cpus: 2.0 is not an integer (write 2)', 2],
    ['cpus = inf', 'cpus: inf is not an integer', 2],
    ['cpus = nan', 'cpus: nan is not an integer', 2],
    ['cpus = true', 'cpus: expected an integer, found a boolean (true)', 2],
    ['cpus = [4]', 'cpus: expected an integer, found an array', 2],
    ['cpus = 0', 'cpus: must be at least 1, found 0', 2],
    ['cpus = -9223372036854775808', 'cpus: must be at least 1, found -9223372036854775808', 2],
    ['memory_mb = 9007199254740992', 'memory_mb: 9007199254740992 is larger than 2^53-1', 3],
    ['memory_mb = 9007199254740993', 'memory_mb: 9007199254740993 is larger than 2^53-1', 3],
    ['memory_mb = 99999999999999999999', 'memory_mb: 99999999999999999999 is larger than 2^53-1', 3],
    ['memory_mb = 512.0', 'memory_mb: 512.0 is not an integer (write 512)', 3],
    ['disk_gb = -1', 'disk_gb: must be at least 0, found -1', 4],
    ['disk_gb = 20.5', 'disk_gb: 20.5 is not an integer', 4],
  ])('refuses %s: "%s" at its line', (line, detail, lineNo) => {
    const key = line.split(' ')[0]!;
    const text = encodeConfig(full).replace(new RegExp(`^${key} = .*$`, 'm'), line);
    const err = decodeError(text);
    expect(err.code).toBe('ERR_MACHINE_CONFIG');
    expect(err.detail).toBe(detail);
    expect(err.message).toBe(`/state/machines/web-01/config.toml:${lineNo}:1: ${detail}`);
    expect(err.line).toBe(lineNo);
    expect(err.column).toBe(1);
  });

  it.each([
    ['memory_mb = 9007199254740991', 'memoryMb', 9007199254740991],
    ['cpus = 0x10', 'cpus', 16],
    ['memory_mb = 1_024', 'memoryMb', 1024],
    ['disk_gb = 0', 'diskGb', 0],
    ['cpus = +3', 'cpus', 3],
  ] as const)('accepts the TOML integer %s', (line, field, value) => {
    const key = line.split(' ')[0]!;
    const { config } = decodeConfig(encodeConfig(full).replace(new RegExp(`^${key} = .*$`, 'm'), line), 'c.toml');
    expect(config[field]).toBe(value);
    expect(typeof config[field]).toBe('number');
  });

  it('reports a missing required key, a bad state and a bad block device', () => {
    expect(decodeError(encodeConfig(full).replace(/^memory_mb = .*$/m, '')).message).toContain('memory_mb: missing');
    expect(decodeError(encodeConfig(full).replace('state = "stopped"', 'state = "starting"')).detail).toBe(
      'state: "starting" is not one of created, running, stopped',
    );
    expect(decodeError(encodeConfig(full).replace('state = "stopped"', 'state = "bogus"')).detail).toBe(
      'state: "bogus" is not one of created, running, stopped',
    );
    expect(decodeError(encodeConfig(full).replace('state = "stopped"', 'state = 1')).detail).toBe(
      'state: expected one of created, running, stopped, found an integer (1)',
    );
    expect(decodeError(encodeConfig(full).replace('read_only = true', 'read_only = "yes"')).message).toContain(
      'block_devices[1].read_only: expected a boolean',
    );
    expect(decodeError(encodeConfig(full).replace('name = "web-01"', 'name = "../etc"')).message).toContain('name: invalid machine name');
    expect(
      decodeError(encodeConfig(full).replace('created_at = "2026-03-04T05:06:07.089Z"', 'created_at = "yesterday"')).message,
    ).toContain('created_at: not an RFC 3339 date-time');
  });
});
