import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finish } from '../helpers/child.js';
import { runCli, startCli } from '../helpers/cli.js';
import { createTestNetns, type TestNetns } from '../helpers/netns.js';
import { describeAsRoot } from '../helpers/root.js';

const VM_MAC = '02:00:00:00:00:01';
const UNKNOWN_MAC = '02:00:00:00:00:99';

interface IpRoute {
  dst: string;
  dev?: string;
  protocol?: string | number;
}

describe('hostwire network commands: usage', () => {
  it('--help lists route, bridge, fdb and link; route ensure --help shows --delay-ms, not the old --delay', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['route', 'bridge', 'fdb', 'link']) expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    const ensure = await runCli(['route', 'ensure', '--help']);
    expect(ensure.stdout).toMatch(/^\s+--delay-ms <n>\s+pause between attempts/m);
    expect(ensure.stdout).not.toMatch(/--delay\b(?!-ms)/);
    const both = await runCli(['route', 'ensure', '--bridge', 'br0', '--delay', '5', '--delay-ms', '5']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("option '--delay <n>' cannot be used with option '--delay-ms <n>'");
  });

  it('route ensure wants exactly one of --bridge and --mac (a usage error: exit 2)', async () => {
    const both = await runCli(['route', 'ensure', '--bridge', 'br0', '--mac', VM_MAC]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("option '--bridge <name>' cannot be used with option '--mac <mac>'");
    expect(both.stderr).toContain('Usage: hostwire route ensure');
    const neither = await runCli(['route', 'ensure']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('needs exactly one of --bridge <name>, --device <name> or --mac <mac>');
    const device = await runCli(['route', 'ensure', '--device', 'vq0', '--bridge', 'br0']);
    expect(device.code).toBe(2);
    expect(device.stderr).toContain("option '--bridge <name>' cannot be used with option '--device <name>'");
  });

  it('a subnet wider than /8 (or /16 for IPv6) is refused, naming the limit and --allow-wide-subnet', async () => {
    for (const [subnet, limit] of [
      ['0.0.0.0/0', 8],
      ['::/0', 16],
    ] as const) {
      for (const command of [['ensure', '--bridge', 'br0'], ['remove'], ['ls']]) {
        const result = await runCli(['route', ...command, '--subnet', subnet]);
        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toBe(
          `hostwire: refusing to route ${subnet}: it is wider than /${limit}; pass --allow-wide-subnet to route it anyway [ERR_SUBNET_TOO_WIDE]\n`,
        );
      }
    }
  });

  it('bridge resolve refuses a malformed MAC with the reason, and exits 1', async () => {
    const result = await runCli(['bridge', 'resolve', '02:00:00:00:00:zz']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^hostwire: invalid MAC address "02:00:00:00:00:zz": .* \[ERR_INVALID_MAC_ADDRESS\]$/m);
  });

  it('an unknown --netns is the kernel’s ENOENT with its path', async () => {
    for (const args of [
      ['link', 'ls'],
      ['route', 'ensure', '--bridge', 'br0'],
      ['route', 'remove'],
      ['route', 'ls'],
      ['fdb', 'ls'],
      ['fdb'],
    ]) {
      const result = await runCli([...args, '--netns', 'does-not-exist']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^hostwire: ENOENT: .*'\/run\/netns\/does-not-exist' \[ENOENT\]$/m);
    }
  });
});

describeAsRoot('hostwire network commands in a namespace', () => {
  let ns: TestNetns;
  const cli = (...args: string[]) => runCli([...args, '--netns', ns.name]);
  const routes = () => ns.ipJson<IpRoute[]>('route', 'show');
  const hostwireRoutes = () => routes().filter((r) => String(r.protocol) === '176');

  beforeEach(() => {
    ns = createTestNetns('cli');
    ns.addBridge('br0');
    ns.addPort('br0', 'vp0', 'vq0');
    ns.addFdb(VM_MAC, 'vp0');
  });

  afterEach(() => {
    ns.delete();
  });

  it('route ensure --mac installs the route; a second run finds it in place', async () => {
    const first = await cli('route', 'ensure', '--mac', VM_MAC);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('172.16.0.0/12 → br0 (ifindex 2): installed\n');
    expect(hostwireRoutes()).toMatchObject([{ dst: '172.16.0.0/12', dev: 'br0' }]);

    const second = await cli('route', 'ensure', '--mac', VM_MAC);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already in place');

    const json = await cli('route', 'ensure', '--mac', VM_MAC.toUpperCase().replaceAll(':', '-'), '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      subnet: '172.16.0.0/12',
      bridge: { name: 'br0', ifindex: 2 },
      mode: 'whole',
      routes: ['172.16.0.0/12'],
      changed: false,
    });
  });

  it('route ensure --bridge routes by name, and --subnet picks another subnet', async () => {
    const result = await cli('route', 'ensure', '--bridge', 'br0', '--subnet', '10.200.0.0/16', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ subnet: '10.200.0.0/16', routes: ['10.200.0.0/16'], changed: true });
    expect(hostwireRoutes()).toMatchObject([{ dst: '10.200.0.0/16', dev: 'br0' }]);
  });

  it('against a foreign route: --policy fail exits 1 with ERR_ROUTE_CONFLICT; the default splits', async () => {
    ns.ip('route', 'add', '172.16.0.0/12', 'dev', 'br0', 'proto', 'static');
    const fail = await cli('route', 'ensure', '--mac', VM_MAC, '--policy', 'fail');
    expect(fail.code).toBe(1);
    expect(fail.stderr).toMatch(/^hostwire: 172\.16\.0\.0\/12 is already routed by proto static .*\[ERR_ROUTE_CONFLICT\]$/m);
    expect(hostwireRoutes()).toEqual([]);

    const split = await cli('route', 'ensure', '--mac', VM_MAC);
    expect(split.code).toBe(0);
    expect(split.stdout).toBe(
      '172.16.0.0/12 → br0 (ifindex 2): split into 172.16.0.0/13, 172.24.0.0/13 (another owner routes 172.16.0.0/12)\n',
    );
    expect(
      hostwireRoutes()
        .map((r) => r.dst)
        .sort(),
    ).toEqual(['172.16.0.0/13', '172.24.0.0/13']);
    expect(routes().find((r) => r.dst === '172.16.0.0/12')).toMatchObject({ protocol: 'static' });

    const shown = await cli('route', 'ls');
    expect(shown.stdout.split('\n').filter(Boolean).sort()).toEqual([
      '172.16.0.0/12 dev br0 proto static scope link',
      '172.16.0.0/13 dev br0 proto hostwire scope link',
      '172.24.0.0/13 dev br0 proto hostwire scope link',
    ]);
  });

  it('route ensure --bridge refuses what is not a bridge (lo, a veth end) with ERR_NOT_A_BRIDGE; --device takes any', async () => {
    for (const [dev, kind] of [
      ['lo', 'none: a device such as lo or a physical NIC'],
      ['vp0', 'veth'],
    ]) {
      const started = Date.now();
      const result = await cli('route', 'ensure', '--bridge', dev!, '--delay-ms', '5000');
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `hostwire: ${dev} is not a bridge (its kind is ${kind}); to route to any interface, target it as a device [ERR_NOT_A_BRIDGE]\n`,
      );
      expect(Date.now() - started).toBeLessThan(5_000); // not retried after a 5 s pause
    }
    expect(hostwireRoutes()).toEqual([]);

    const device = await cli('route', 'ensure', '--device', 'vq0');
    expect(device.code).toBe(0);
    expect(device.stdout).toMatch(/^172\.16\.0\.0\/12 → vq0 \(ifindex \d+\): installed\n$/);
    expect(hostwireRoutes()).toMatchObject([{ dst: '172.16.0.0/12', dev: 'vq0' }]);

    const bridge = await cli('route', 'ensure', '--bridge', 'br0');
    expect(bridge.code).toBe(0);
    expect(bridge.stdout).toBe('172.16.0.0/12 → br0 (ifindex 2): installed\n');
    expect(hostwireRoutes()).toMatchObject([{ dst: '172.16.0.0/12', dev: 'br0' }]);
  });

  it('route ensure --allow-wide-subnet routes a subnet wider than /8', async () => {
    const result = await cli('route', 'ensure', '--bridge', 'br0', '--subnet', '0.0.0.0/1', '--allow-wide-subnet');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('0.0.0.0/1 → br0 (ifindex 2): installed\n');
    expect(hostwireRoutes()).toMatchObject([{ dst: '0.0.0.0/1', dev: 'br0' }]);
    expect((await cli('route', 'remove', '--subnet', '0.0.0.0/1', '--allow-wide-subnet')).stdout).toBe('removed 0.0.0.0/1\n');
  });

  it('route ensure --mac for a MAC no bridge knows gives up after --attempts, pausing --delay-ms (or the old --delay)', async () => {
    for (const delay of ['--delay-ms', '--delay']) {
      const started = Date.now();
      const result = await cli('route', 'ensure', '--mac', UNKNOWN_MAC, '--attempts', '2', delay, '50', '--verbose');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`no bridge has ${UNKNOWN_MAC} in its forwarding database yet (gave up after 2 attempts)`);
      expect(result.stderr).toContain('[ERR_ROUTE_BRIDGE_NOT_READY]');
      expect(result.stderr).toContain('retriesLeft=1 delayMs=50'); // the pause asked for, not the default
      expect(Date.now() - started).toBeLessThan(15_000);
    }
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while route ensure is retrying stops it at once: ERR_ROUTE_ABORTED, exit %i', async (signal, exitCode) => {
    const child = startCli([
      'route',
      'ensure',
      '--mac',
      UNKNOWN_MAC,
      '--attempts',
      '100',
      '--delay-ms',
      '10000',
      '--verbose',
      '--netns',
      ns.name,
    ]);
    const done = finish(child);
    let err = '';
    child.stderr!.on('data', (d: string | Buffer) => (err += String(d)));
    // --verbose logs each failed attempt; by the first, the signal handlers are in place.
    await expect.poll(() => err.includes('route attempt failed'), { timeout: 15_000 }).toBe(true);
    const sent = Date.now();
    child.kill(signal);
    const result = await done;
    expect(Date.now() - sent).toBeLessThan(5_000);
    expect(result.code).toBe(exitCode);
    expect(result.stderr).toContain('hostwire: debug: route attempt failed (subnet=172.16.0.0/12 attempt=1 retriesLeft=99 delayMs=10000');
    expect(result.stderr).toMatch(/^hostwire: gave up on 172\.16\.0\.0\/12: aborted after 1 attempt\(s\) \[ERR_ROUTE_ABORTED\]$/m);
  });

  it('route remove: removed, then absent; both exit 0', async () => {
    expect((await cli('route', 'ensure', '--bridge', 'br0')).code).toBe(0);
    const removed = await cli('route', 'remove');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe('removed 172.16.0.0/12\n');
    expect(hostwireRoutes()).toEqual([]);
    const absent = await cli('route', 'remove');
    expect(absent.code).toBe(0);
    expect(absent.stdout).toBe('no hostwire route for 172.16.0.0/12\n');
    const json = await cli('route', 'remove', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ outcome: 'absent', subnet: '172.16.0.0/12', removed: [] });
  });

  it('route remove leaves another owner’s route alone', async () => {
    ns.ip('route', 'add', '172.16.0.0/12', 'dev', 'br0', 'proto', 'static');
    expect((await cli('route', 'ensure', '--mac', VM_MAC)).code).toBe(0);
    const removed = await cli('route', 'remove', '--json');
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({
      outcome: 'removed',
      subnet: '172.16.0.0/12',
      removed: ['172.16.0.0/13', '172.24.0.0/13'],
    });
    expect(routes().filter((r) => r.dst.startsWith('172.'))).toMatchObject([{ dst: '172.16.0.0/12', protocol: 'static' }]);
  });

  it('route ls --json: hostwire’s routes with the device name; --all adds the rest of the main table; show is ls', async () => {
    expect(JSON.parse((await cli('route', 'ls', '--json')).stdout)).toEqual([]);
    expect((await cli('route', 'ensure', '--bridge', 'br0')).code).toBe(0);
    ns.ip('route', 'add', '10.9.0.0/16', 'dev', 'br0');
    const shown = await cli('route', 'ls', '--json');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual([
      {
        family: 4,
        dst: '172.16.0.0',
        prefix: 12,
        table: 254,
        protocol: 176,
        scope: 253,
        type: 1,
        oif: 2,
        gateway: null,
        prefsrc: null,
        metric: null,
        multipath: false,
        dev: 'br0',
      },
    ]);
    expect((await cli('route', 'ls')).stdout).toBe('172.16.0.0/12 dev br0 proto hostwire scope link\n');
    expect((await cli('route', 'show')).stdout).toBe('172.16.0.0/12 dev br0 proto hostwire scope link\n'); // the old spelling
    const all = await cli('route', 'ls', '--all');
    expect(all.stdout).toContain('10.9.0.0/16 dev br0 scope link\n');
    expect(all.stdout).toContain('172.16.0.0/12 dev br0 proto hostwire scope link\n');
  });

  it('bridge resolve: the bridge for a known MAC, exit 1 with the reason for an unknown one', async () => {
    const hit = await cli('bridge', 'resolve', VM_MAC);
    expect(hit.code).toBe(0);
    expect(hit.stdout).toBe('br0 (ifindex 2)\n');
    expect(JSON.parse((await cli('bridge', 'resolve', VM_MAC, '--json')).stdout)).toEqual({ name: 'br0', ifindex: 2 });

    const miss = await cli('bridge', 'resolve', UNKNOWN_MAC);
    expect(miss.code).toBe(1);
    expect(miss.stdout).toBe('');
    expect(miss.stderr).toBe(`hostwire: no bridge has ${UNKNOWN_MAC} in its forwarding database\n`);
    const missJson = await cli('bridge', 'resolve', UNKNOWN_MAC, '--json');
    expect(missJson.code).toBe(1);
    expect(JSON.parse(missJson.stdout)).toBeNull();
  });

  it('fdb ls --json holds the static entry with its port and bridge; fdb ls --master br0 prints it like bridge fdb', async () => {
    const json = await cli('fdb', 'ls', '--json');
    expect(json.code).toBe(0);
    const entries = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(entries).toContainEqual(
      expect.objectContaining({ mac: VM_MAC, dev: 'vp0', masterName: 'br0', master: 2, state: 0x40, vlan: null, dst: null }),
    );
    expect(entries).toContainEqual(expect.objectContaining({ dev: 'br0', masterName: null }));

    const text = await cli('fdb', 'ls', '--master', 'br0');
    expect(text.code).toBe(0);
    expect((await cli('fdb', '--master', 'br0')).stdout).toBe(text.stdout); // `fdb` alone is `fdb ls`
    expect(text.stdout).toContain(`${VM_MAC} dev vp0 master br0 static\n`);
    expect(text.stdout).toMatch(/ dev br0 self permanent$/m);
    expect(text.stdout).not.toContain('dev vq0'); // not a port of br0

    const unknown = await cli('fdb', 'ls', '--master', 'br9');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no interface named "br9"');
    expect(unknown.stderr).toContain('[ENODEV]');
  });

  it('link ls: br0 is a bridge, vp0 its port', async () => {
    const json = await cli('link', 'ls', '--json');
    expect(json.code).toBe(0);
    const links = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(links).toContainEqual(expect.objectContaining({ index: 2, name: 'br0', kind: 'bridge', master: null, up: true, mtu: 1500 }));
    expect(links).toContainEqual(expect.objectContaining({ name: 'vp0', kind: 'veth', master: 2 }));

    const text = await cli('link', 'ls');
    expect(text.stdout).toMatch(/^1: lo <LOOPBACK,UP,LOWER_UP> mtu 65536 mac 00:00:00:00:00:00 state unknown$/m);
    expect(text.stdout).toMatch(/^2: br0 <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 kind bridge mac [0-9a-f:]{17} state \w+$/m);
    expect(text.stdout).toMatch(/^\d+: vp0 <[A-Z_,]+> mtu 1500 master br0 kind veth mac [0-9a-f:]{17} state up$/m);
  });

  it('route ensure --watch restores a deleted route and leaves it in place on SIGINT', async () => {
    const child = startCli(['route', 'ensure', '--mac', VM_MAC, '--watch', '--netns', ns.name]);
    const done = finish(child);
    let out = '';
    child.stdout!.on('data', (d: string | Buffer) => (out += String(d)));
    await expect.poll(() => out.includes('\n'), { timeout: 15_000 }).toBe(true);
    expect(out.split('\n')[0]).toBe('172.16.0.0/12 → br0 (ifindex 2): installed');
    await expect.poll(() => out.includes('watching 172.16.0.0/12'), { timeout: 15_000 }).toBe(true);
    expect(hostwireRoutes()).toHaveLength(1);

    ns.ip('route', 'del', '172.16.0.0/12', 'proto', '176');
    await expect.poll(() => out.includes('restored: 172.16.0.0/12 → br0 (ifindex 2): installed'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => hostwireRoutes(), { timeout: 10_000 }).toMatchObject([{ dst: '172.16.0.0/12', dev: 'br0' }]);

    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('stopped (SIGINT); 172.16.0.0/12 left in place');
    expect(hostwireRoutes()).toMatchObject([{ dst: '172.16.0.0/12', dev: 'br0' }]);
  });

  it('route ensure --watch --json prints the state, restore events and a stopped event on SIGTERM', async () => {
    const child = startCli(['route', 'ensure', '--bridge', 'br0', '--watch', '--json', '--netns', ns.name]);
    const done = finish(child);
    let out = '';
    child.stdout!.on('data', (d: string | Buffer) => (out += String(d)));
    await expect.poll(() => out.includes('\n'), { timeout: 15_000 }).toBe(true);
    // Printed just before the watcher starts; a deletion before its monitor opens is caught by its first check.
    ns.ip('route', 'del', '172.16.0.0/12', 'proto', '176');
    await expect.poll(() => out.includes('"event":"restored"'), { timeout: 10_000 }).toBe(true);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ subnet: '172.16.0.0/12', bridge: { name: 'br0', ifindex: 2 }, changed: true });
    expect(lines).toContainEqual(expect.objectContaining({ event: 'restored', routes: ['172.16.0.0/12'], changed: true }));
    expect(lines.at(-1)).toEqual({ event: 'stopped', signal: 'SIGTERM' });
    expect(hostwireRoutes()).toHaveLength(1);
  });
});
