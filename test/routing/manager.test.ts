// The route lifecycle against the real kernel, inside throwaway namespaces:
// discovery, retry, conflicts, reconcile and serialisation. The same policy
// runs without root against an in-memory table in policy.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Logger } from '../../src/logger.js';
import { NetlinkRouteExecutor, RouteError, RouteManager, SubnetTooWideError, type RouteExecutor } from '../../src/routing/index.js';
import { fixturesDir } from '../helpers/child.js';
import { createTestNetns, type TestNetns } from '../helpers/netns.js';
import { describeAsRoot } from '../helpers/root.js';

interface IpRoute {
  dst: string;
  dev?: string;
  protocol?: string;
}

const VM_MAC = '02:00:00:00:00:01';

/** A logger that calls `onFailure` for each failed attempt ensureRoute reports. */
function attemptLogger(onFailure: (attempt: number) => void): Logger {
  const noop = () => {};
  return {
    debug: (obj) => {
      if (typeof obj === 'object' && 'attempt' in obj) onFailure((obj as { attempt: number }).attempt);
    },
    info: noop,
    warn: noop,
    error: noop,
  };
}

describe('subnet width policy (no root needed: checked when the manager is made)', () => {
  it('refuses IPv4 subnets wider than /8 and IPv6 wider than /16, naming the limit and the option', () => {
    for (const [subnet, limit] of [
      ['0.0.0.0/0', 8],
      ['0.0.0.0/1', 8],
      ['128.0.0.0/1', 8],
      ['172.0.0.0/7', 8],
      ['::/0', 16],
      ['fd00::/8', 16],
      ['fd00::/15', 16],
    ] as const) {
      let err: unknown;
      try {
        new RouteManager({ subnet });
      } catch (e) {
        err = e;
      }
      expect(err, subnet).toBeInstanceOf(SubnetTooWideError);
      expect(err).toBeInstanceOf(RangeError);
      expect(err).toMatchObject({ code: 'ERR_SUBNET_TOO_WIDE', subnet, limit });
      expect((err as Error).message).toContain(`refusing to route ${subnet}: it is wider than /${limit}`);
      expect((err as Error).message).toContain('allowWideSubnet: true');
    }
  });

  it('accepts /8 and /16 and narrower, and anything with allowWideSubnet: true', async () => {
    for (const subnet of ['10.0.0.0/8', '172.16.0.0/12', '10.1.2.3/32', 'fd00::/16', 'fd00:1::/48']) {
      await new RouteManager({ subnet }).close();
    }
    for (const subnet of ['0.0.0.0/0', '::/0', '0.0.0.0/1']) {
      const m = new RouteManager({ subnet, allowWideSubnet: true });
      expect(String(m.subnet)).toBe(subnet);
      await m.close();
    }
    expect(() => new RouteManager({ subnet: '0.0.0.0/0', allowWideSubnet: false })).toThrow(SubnetTooWideError);
    expect(() => new RouteManager({ allowWideSubnet: 'yes' as unknown as boolean })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});

describe('reading through rtnetlink in a namespace that is not there (no root needed)', () => {
  const missing = { netns: 'hwtest-no-such-ns', delayMs: 0 };

  it('every read is a RouteError of kind executor-unavailable, the ENOENT its cause; removeRoute reports it, never throws', async () => {
    await using m = new RouteManager(missing);
    const expected = {
      kind: 'executor-unavailable',
      code: 'ERR_ROUTE_EXECUTOR_UNAVAILABLE',
      message: "cannot read routes: ENOENT: No such file or directory, open '/run/netns/hwtest-no-such-ns'",
      cause: expect.objectContaining({ code: 'ENOENT', path: '/run/netns/hwtest-no-such-ns' }),
    };
    expect(() => m.resolveBridgeByMac(VM_MAC)).toThrow(expect.objectContaining(expected));
    expect(() => m.routes()).toThrow(expect.objectContaining(expected));
    // Retried, as an executor that is not there yet is.
    const err = await m.ensureRouteForBridge('br0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RouteError);
    expect(err).toMatchObject({ ...expected, attempts: 2, message: `${expected.message} (gave up after 2 attempts)` });
    const result = await m.removeRoute();
    expect(result).toMatchObject({ outcome: 'executor-unavailable', subnet: '172.16.0.0/12', removed: [], error: expected });
  });

  it('a watcher logs the monitor it could not open, reports each failed check, and keeps going', async () => {
    const warned: unknown[] = [];
    const noop = () => {};
    await using m = new RouteManager({
      ...missing,
      logger: { debug: noop, info: noop, warn: (obj) => warned.push((obj as { err: unknown }).err), error: noop },
    });
    using watcher = m.watch({ device: 'br0' }, { debounceMs: 10, ref: false });
    const [err] = await once(watcher, 'error');
    expect(err).toMatchObject({ code: 'ERR_ROUTE_EXECUTOR_UNAVAILABLE' });
    expect(warned).toEqual([expect.objectContaining({ code: 'ENOENT', path: '/run/netns/hwtest-no-such-ns' }), err]);
    expect(watcher.closed).toBe(false);
  });
});

describeAsRoot('route lifecycle in a network namespace', () => {
  let ns: TestNetns;
  const managers: RouteManager[] = [];
  const manager = (options: ConstructorParameters<typeof RouteManager>[0] = {}) => {
    const m = new RouteManager({ netns: ns.name, delayMs: 50, ...options });
    managers.push(m);
    return m;
  };
  const routes = (...args: string[]): IpRoute[] => ns.ipJson<IpRoute[]>('route', 'show', ...args);
  const hostwireRoutes = () => routes('proto', '176').map((r) => `${r.dst} ${r.dev}`);

  beforeEach(() => {
    ns = createTestNetns('routing');
    ns.addBridge('br0');
    ns.addPort('br0', 'vp0', 'vq0');
    ns.addBridge('br1');
    ns.addPort('br1', 'vp1', 'vq1');
  });

  afterEach(async () => {
    for (const m of managers.splice(0)) await m.close();
    ns.delete();
  });

  describe('bridge discovery', () => {
    it('finds the bridge whose FDB holds the MAC, and null when none does', () => {
      ns.addFdb(VM_MAC, 'vp1');
      const m = manager();
      const br1 = ns.ipJson<{ ifindex: number }[]>('link', 'show', 'br1')[0]!;
      expect(m.resolveBridgeByMac(VM_MAC)).toEqual({ name: 'br1', ifindex: br1.ifindex });
      expect(m.resolveBridgeByMac('02:00:00:00:00:99')).toBeNull();
      // Any accepted spelling resolves the same entry.
      expect(m.resolveBridgeByMac('02-00-00-00-00-01')?.name).toBe('br1');
    });
  });

  describe('ensureRoute', () => {
    it('installs the subnet through the bridge with the hostwire protocol, once', async () => {
      ns.addFdb(VM_MAC, 'vp0');
      const m = manager();
      const first = await m.ensureRoute(VM_MAC);
      expect(first).toMatchObject({
        subnet: '172.16.0.0/12',
        bridge: { name: 'br0' },
        mode: 'whole',
        routes: ['172.16.0.0/12'],
        changed: true,
      });
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br0']);
      const second = await m.ensureRoute(VM_MAC);
      expect(second.changed).toBe(false);
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br0']);
    });

    it('routes an IPv6 subnet', async () => {
      ns.addFdb(VM_MAC, 'vp0');
      const m = manager({ subnet: 'fd00:77::/48' });
      await m.ensureRoute(VM_MAC);
      const v6 = ns.ipJson<IpRoute[]>('-6', 'route', 'show', 'proto', '176');
      expect(v6.map((r) => `${r.dst} ${r.dev}`)).toEqual(['fd00:77::/48 br0']);
    });

    it('moves the route when the VM now sits behind another bridge', async () => {
      ns.addFdb(VM_MAC, 'vp0');
      const m = manager();
      await m.ensureRoute(VM_MAC);
      ns.bridge('fdb', 'del', VM_MAC, 'dev', 'vp0', 'master');
      ns.addFdb(VM_MAC, 'vp1');
      expect((await m.ensureRoute(VM_MAC)).changed).toBe(true);
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br1']);
    });

    it('retries while the bridge is not ready and succeeds once the FDB entry appears', async () => {
      const failures: number[] = [];
      const m = manager({
        delayMs: 100,
        logger: attemptLogger((attempt) => {
          failures.push(attempt);
          if (attempt === 2) ns.addFdb(VM_MAC, 'vp0'); // the VM's NIC shows up mid-retry
        }),
      });
      const state = await m.ensureRoute(VM_MAC);
      expect(failures).toEqual([1, 2]);
      expect(state.bridge.name).toBe('br0');
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br0']);
    });
  });

  describe('ensureRouteForBridge', () => {
    it('routes to a named bridge without discovery', async () => {
      const state = await manager().ensureRouteForBridge('br1');
      expect(state.bridge.name).toBe('br1');
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br1']);
    });

    it('refuses a device that is not a bridge, naming it and its kind: ERR_NOT_A_BRIDGE, not retried', async () => {
      for (const [name, kind] of [
        ['lo', 'none: a device such as lo or a physical NIC'],
        ['vp0', 'veth'],
        ['vq1', 'veth'],
      ]) {
        const err = await manager()
          .ensureRouteForBridge(name!)
          .catch((e: unknown) => e);
        expect(err, name).toBeInstanceOf(RouteError);
        expect(err).toMatchObject({ kind: 'not-a-bridge', code: 'ERR_NOT_A_BRIDGE', attempts: 1, subnet: '172.16.0.0/12' });
        expect((err as Error).message).toBe(
          `${name} is not a bridge (its kind is ${kind}); to route to any interface, target it as a device`,
        );
      }
      expect(hostwireRoutes()).toEqual([]);
      expect(routes().map((r) => r.dst)).not.toContain('172.16.0.0/12');
    });

    it('ensureRouteForDevice routes to any interface: a veth end', async () => {
      const state = await manager().ensureRouteForDevice('vq0');
      expect(state).toMatchObject({ mode: 'whole', routes: ['172.16.0.0/12'], changed: true, bridge: { name: 'vq0' } });
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 vq0']);
      // A bridge is a device too.
      expect((await manager().ensureRouteForDevice('br1')).bridge.name).toBe('br1');
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br1']);
    });

    it('a watcher on a "bridge" that is not one reports ERR_NOT_A_BRIDGE; on a device it keeps the route', async () => {
      const m = manager();
      const wrong = m.watch({ bridge: 'vp0' }, { debounceMs: 50 });
      const [err] = await once(wrong, 'error');
      expect(err).toMatchObject({ code: 'ERR_NOT_A_BRIDGE' });
      wrong.close();
      const right = m.watch({ device: 'vq1' }, { debounceMs: 50 });
      await once(right, 'restored');
      const restored = once(right, 'restored');
      ns.ip('route', 'del', '172.16.0.0/12', 'proto', '176');
      await restored;
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 vq1']);
      right.close();
    });

    it('gives up after 2 attempts on a missing bridge', async () => {
      const err = await manager()
        .ensureRouteForBridge('br9')
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'bridge-not-ready', attempts: 2, message: expect.stringContaining('no interface named br9') });
    });

    it('reports a bridge that is down as not ready (the kernel refuses the route)', async () => {
      ns.ip('link', 'set', 'br1', 'down');
      const err = await manager()
        .ensureRouteForBridge('br1')
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'bridge-not-ready', attempts: 2 });
      expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe('ENETDOWN');
    });
    it('without CAP_NET_ADMIN: not-permitted, at once, not retried', () => {
      // A child whose capability bounding set lacks NET_ADMIN: setns still works, route changes do not.
      const out = execFileSync(
        'setpriv',
        [
          '--bounding-set',
          '-net_admin',
          '--inh-caps',
          '-net_admin',
          process.execPath,
          '--import',
          'tsx',
          path.join(fixturesDir, 'route-without-cap.ts'),
          ns.name,
          'br0',
        ],
        { encoding: 'utf8' },
      );
      expect(JSON.parse(out)).toEqual({
        code: 'ERR_ROUTE_NOT_PERMITTED',
        kind: 'not-permitted',
        attempts: 1,
        cause: 'EPERM',
        message:
          'routing 172.16.0.0/12 is not permitted (needs CAP_NET_ADMIN, or a privileged executor): EPERM: Operation not permitted, RTM_NEWROUTE',
      });
      expect(hostwireRoutes()).toEqual([]);
    });
  });

  describe('conflicts with a route another owner installed', () => {
    beforeEach(() => {
      ns.addFdb(VM_MAC, 'vp0');
      ns.ip('route', 'add', '172.16.0.0/12', 'dev', 'br1', 'proto', 'static'); // e.g. a VPN's
    });
    const foreign = () => routes('proto', 'static').map((r) => `${r.dst} ${r.dev}`);

    it('split (default): leaves it alone and installs the /13 halves', async () => {
      const state = await manager().ensureRoute(VM_MAC);
      expect(state).toMatchObject({ mode: 'split', routes: ['172.16.0.0/13', '172.24.0.0/13'] });
      expect(hostwireRoutes()).toEqual(['172.16.0.0/13 br0', '172.24.0.0/13 br0']);
      expect(foreign()).toEqual(['172.16.0.0/12 br1']);
      // Traffic for the subnet now goes to the bridge.
      expect(ns.ipJson<{ dev: string }[]>('route', 'get', '172.20.1.1')[0]!.dev).toBe('br0');
    });

    it('fail: a conflict error, not retried, nothing installed', async () => {
      const err = await manager({ policy: 'fail' })
        .ensureRoute(VM_MAC)
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'conflict', code: 'ERR_ROUTE_CONFLICT', attempts: 1 });
      expect((err as Error).message).toBe('172.16.0.0/12 is already routed by proto static dev br1; policy "fail" leaves it alone');
      expect(hostwireRoutes()).toEqual([]);
      expect(foreign()).toEqual(['172.16.0.0/12 br1']);
    });

    it("replace: removes the other route and installs hostwire's", async () => {
      const state = await manager({ policy: 'replace' }).ensureRoute(VM_MAC);
      expect(state.mode).toBe('replaced');
      expect(foreign()).toEqual([]);
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br0']);
    });

    it('goes back to the whole subnet once the other route is gone', async () => {
      const m = manager();
      await m.ensureRoute(VM_MAC);
      ns.ip('route', 'del', '172.16.0.0/12', 'proto', 'static');
      expect((await m.ensureRoute(VM_MAC)).mode).toBe('whole');
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br0']);
    });
  });

  describe('with thousands of foreign routes elsewhere in the table', () => {
    const FOREIGN = 3000;
    beforeEach(() => {
      ns.addFdb(VM_MAC, 'vp0');
      // Numbers, not names, for the protocol: see TestNetns.ipBatch.
      ns.ipBatch(Array.from({ length: FOREIGN }, (_, i) => `route add 10.${i >> 8}.${i & 255}.0/24 dev br1 proto 4`));
      // Inside the subnet and around it, but for neither it nor a half: no conflict.
      ns.ipBatch([
        'route add 172.17.0.0/16 dev br1 proto 4',
        'route add 172.0.0.0/8 dev br1 proto 4',
        'route add 172.24.5.0/24 dev br1 proto 4',
      ]);
    });

    it('routes the whole subnet when only routes inside or around it exist', async () => {
      const state = await manager().ensureRoute(VM_MAC);
      expect(state).toMatchObject({ mode: 'whole', routes: ['172.16.0.0/12'] });
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br0']);
      expect(routes('proto', 'static')).toHaveLength(FOREIGN + 3);
    });

    it('still finds a route for the subnet itself: fail, split, and back to whole once it is gone', async () => {
      ns.ip('route', 'add', '172.16.0.0/12', 'dev', 'br1', 'proto', 'static', 'metric', '7');
      const err = await manager({ policy: 'fail' })
        .ensureRoute(VM_MAC)
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_ROUTE_CONFLICT' });
      expect((err as Error).message).toBe('172.16.0.0/12 is already routed by proto static dev br1; policy "fail" leaves it alone');
      const m = manager();
      expect(await m.ensureRoute(VM_MAC)).toMatchObject({ mode: 'split', routes: ['172.16.0.0/13', '172.24.0.0/13'] });
      expect(
        m
          .routes()
          .map((r) => `${r.dst}/${r.prefix} ${r.protocol}`)
          .sort(),
      ).toEqual(['172.16.0.0/12 4', '172.16.0.0/13 176', '172.24.0.0/13 176']);
      ns.ip('route', 'del', '172.16.0.0/12', 'proto', 'static');
      expect(await m.ensureRoute(VM_MAC)).toMatchObject({ mode: 'whole', changed: true });
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br0']);
    });

    it('finds a route for a half: the split is refused with the half named', async () => {
      ns.ip('route', 'add', '172.16.0.0/12', 'dev', 'br1', 'proto', 'static');
      ns.ip('route', 'add', '172.24.0.0/13', 'dev', 'br1', 'proto', 'boot');
      const err = await manager()
        .ensureRoute(VM_MAC)
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_ROUTE_CONFLICT' });
      expect((err as Error).message).toContain('and so is its half 172.24.0.0/13 (proto boot dev br1)');
    });

    it('a watcher restores a deleted route among them', async () => {
      const m = manager();
      const watcher = m.watch({ mac: VM_MAC }, { debounceMs: 50 });
      await once(watcher, 'restored');
      const restored = once(watcher, 'restored');
      ns.ip('route', 'del', '172.16.0.0/12', 'proto', '176');
      expect((await restored)[0]).toMatchObject({ mode: 'whole', changed: true });
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br0']);
      watcher.close();
    });
  });

  describe('removeRoute', () => {
    it("says removed, then absent, and never touches other owners' routes", async () => {
      ns.addFdb(VM_MAC, 'vp0');
      ns.ip('route', 'add', '172.16.0.0/12', 'dev', 'br1', 'proto', 'static');
      const m = manager();
      await m.ensureRoute(VM_MAC);
      expect(await m.removeRoute()).toEqual({ outcome: 'removed', subnet: '172.16.0.0/12', removed: ['172.16.0.0/13', '172.24.0.0/13'] });
      expect(await m.removeRoute()).toEqual({ outcome: 'absent', subnet: '172.16.0.0/12', removed: [] });
      expect(routes('proto', 'static').map((r) => r.dst)).toEqual(['172.16.0.0/12']);
    });
  });

  describe('watch', () => {
    it('restores a route someone deleted, and one someone moved', async () => {
      ns.addFdb(VM_MAC, 'vp0');
      const m = manager();
      await m.ensureRoute(VM_MAC);
      const watcher = m.watch({ mac: '0200.0000.0001' }, { debounceMs: 50 }); // any accepted spelling
      await once(watcher, 'checked'); // the first check found it in place

      const restored = once(watcher, 'restored');
      ns.ip('route', 'del', '172.16.0.0/12', 'proto', '176');
      const [state] = await restored;
      expect(state).toMatchObject({ changed: true, routes: ['172.16.0.0/12'] });
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br0']);

      const movedBack = once(watcher, 'restored');
      ns.ip('route', 'replace', '172.16.0.0/12', 'dev', 'br1', 'proto', '176');
      await movedBack;
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br0']);
      watcher.close();
    });

    it('splits when a foreign route appears, and leaves the route in place when closed', async () => {
      ns.addFdb(VM_MAC, 'vp0');
      const m = manager();
      const watcher = m.watch({ bridge: 'br0' }, { debounceMs: 50 });
      await once(watcher, 'restored'); // nothing was there: the first check installs it
      const split = once(watcher, 'restored');
      // Beside hostwire's route (same key would clash), as a VPN coming up does.
      ns.ip('route', 'add', '172.16.0.0/12', 'dev', 'br1', 'proto', 'static', 'metric', '50');
      expect((await split)[0]).toMatchObject({ mode: 'split' });
      watcher.close();
      expect(watcher.closed).toBe(true);
      expect(hostwireRoutes()).toEqual(['172.16.0.0/13 br0', '172.24.0.0/13 br0']);
    });

    it("installs the route as soon as the VM's MAC shows up in the FDB", async () => {
      const m = manager();
      // Periodic check far away: only the FDB notification can trigger the install.
      const watcher = m.watch({ mac: '02-00-00-00-00-01' }, { debounceMs: 50, intervalMs: 600_000 });
      const [first] = await once(watcher, 'error');
      expect(first).toMatchObject({ kind: 'bridge-not-ready', message: `no bridge has ${VM_MAC} in its forwarding database` });
      const restored = once(watcher, 'restored');
      ns.addFdb(VM_MAC, 'vp1');
      expect((await restored)[0]).toMatchObject({ bridge: { name: 'br1' }, routes: ['172.16.0.0/12'] });
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br1']);
      watcher.close();
    });

    it('closes when its signal aborts, and removeRoute closes it too', async () => {
      ns.addFdb(VM_MAC, 'vp0');
      const m = manager();
      const controller = new AbortController();
      const a = m.watch({ mac: VM_MAC }, { signal: controller.signal });
      controller.abort();
      expect(a.closed).toBe(true);
      const b = m.watch({ mac: VM_MAC }, { debounceMs: 50 });
      await once(b, 'restored');
      expect((await m.removeRoute()).outcome).toBe('removed');
      expect(b.closed).toBe(true);
      expect(hostwireRoutes()).toEqual([]);
    });
  });

  describe('serialisation per subnet', () => {
    /** Wraps the real executor and records when each call starts and ends. */
    function recordingExecutor(log: string[]): RouteExecutor {
      const real = new NetlinkRouteExecutor({ netns: ns.name });
      const slow = () => new Promise((r) => setTimeout(r, 30));
      return {
        replaceRoute: async (subnet, device) => {
          log.push(`replace ${subnet} ${device} start`);
          await slow();
          await real.replaceRoute(subnet, device);
          log.push(`replace ${subnet} ${device} end`);
        },
        removeRoute: async (subnet, owner) => {
          log.push(`delete ${subnet} start`);
          await slow();
          const outcome = await real.removeRoute(subnet, owner);
          log.push(`delete ${subnet} end`);
          return outcome;
        },
        close: () => real.close(),
      };
    }

    it('an ensure racing a remove never interleaves; the later call wins', async () => {
      ns.addFdb(VM_MAC, 'vp0');
      const log: string[] = [];
      const m = manager({ executor: recordingExecutor(log) });
      const [state, removal] = await Promise.all([m.ensureRoute(VM_MAC), m.removeRoute()]);
      expect(state.changed).toBe(true);
      expect(removal.outcome).toBe('removed');
      expect(log).toEqual([
        'replace 172.16.0.0/12 br0 start',
        'replace 172.16.0.0/12 br0 end',
        'delete 172.16.0.0/12 start',
        'delete 172.16.0.0/12 end',
      ]);
      expect(hostwireRoutes()).toEqual([]);
    });

    it("two managers of one subnet ensuring at once end with the second one's bridge", async () => {
      const log: string[] = [];
      const a = manager({ executor: recordingExecutor(log) });
      const b = manager({ executor: recordingExecutor(log) });
      await Promise.all([a.ensureRouteForBridge('br0'), b.ensureRouteForBridge('br1')]);
      expect(log).toEqual([
        'replace 172.16.0.0/12 br0 start',
        'replace 172.16.0.0/12 br0 end',
        'replace 172.16.0.0/12 br1 start',
        'replace 172.16.0.0/12 br1 end',
      ]);
      expect(hostwireRoutes()).toEqual(['172.16.0.0/12 br1']);
    });
  });
});
