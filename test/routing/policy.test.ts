// Route policy without root: RouteManager and RouteWatcher against a
// MemoryRouteTable (reader and executor over one in-memory table). Discovery,
// retry and its pauses, error classification, conflicts, removal outcomes,
// watching and serialisation. The kernel-facing versions run as root in
// manager.test.ts.
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/logger.js';
import {
  ExecutorUnavailableError,
  InvalidMacAddressError,
  MemoryRouteTable,
  parseInterfaceName,
  parseSubnet,
  RouteError,
  RouteManager,
  SubnetTooWideError,
  type RouteExecutor,
  type RouteManagerOptions,
  type RouteReader,
} from '../../src/routing/index.js';

const VM_MAC = '02:00:00:00:00:01';
const SUBNET = '172.16.0.0/12';

interface FailedAttempt {
  attempt: number;
  kind: string | undefined;
}

/** A logger that records each failed attempt ensureRoute reports, and calls `onFailure` with it. */
function attemptLogger(onFailure: (failed: FailedAttempt) => void = () => {}): { logger: Logger; failed: FailedAttempt[] } {
  const failed: FailedAttempt[] = [];
  const noop = () => {};
  const logger: Logger = {
    debug: (obj) => {
      if (typeof obj !== 'object' || !('attempt' in obj)) return;
      const record = obj as { attempt: number; err?: { kind?: string } };
      const entry = { attempt: record.attempt, kind: record.err?.kind };
      failed.push(entry);
      onFailure(entry);
    },
    info: noop,
    warn: noop,
    error: noop,
  };
  return { logger, failed };
}

/** A reader that fails the test if anything is read through it. */
const unreadable = new Proxy({} as RouteReader, {
  get: (_, method) => () => {
    throw new Error(`nothing should be read (${String(method)})`);
  },
});

const errno = (code: string) => Object.assign(new Error(`${code}: refused`), { code });

let table: MemoryRouteTable;
const managers: RouteManager[] = [];

function manager(options: RouteManagerOptions = {}): RouteManager {
  const m = new RouteManager({ reader: table, executor: table, delayMs: 10, ...options });
  managers.push(m);
  return m;
}

/** An executor over the table that runs `before` first on each call (to fail it, or record it). */
function wrapped(before: (call: string) => void | Promise<void>, on: MemoryRouteTable = table): RouteExecutor & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    replaceRoute: async (subnet, device) => {
      calls.push(`replace ${subnet} ${device}`);
      await before(`replace ${subnet} ${device}`);
      return on.replaceRoute(subnet, device);
    },
    removeRoute: async (subnet, owner) => {
      calls.push(`delete ${subnet} ${owner ?? 'hostwire'}`);
      await before(`delete ${subnet} ${owner ?? 'hostwire'}`);
      return on.removeRoute(subnet, owner);
    },
  };
}

const describeRoutes = (protocol: string, on: MemoryRouteTable = table): string[] =>
  on
    .listRoutes({ protocol, table: 'all' })
    .map((r) => `${r.dst}/${r.prefix} ${on.linkByIndex(r.oif!)!.name}`)
    .sort();
const hostwireRoutes = (on?: MemoryRouteTable) => describeRoutes('hostwire', on);
const foreignRoutes = () => describeRoutes('static');

/** Two bridges with a veth port each, as manager.test.ts builds in a namespace. */
function topology(): MemoryRouteTable {
  const t = new MemoryRouteTable();
  t.addBridge('br0');
  t.addLink('vp0', { kind: 'veth', master: 'br0' });
  t.addLink('vq0', { kind: 'veth' });
  t.addBridge('br1');
  t.addLink('vp1', { kind: 'veth', master: 'br1' });
  t.addLink('vq1', { kind: 'veth' });
  return t;
}

beforeEach(() => {
  table = topology();
});

afterEach(async () => {
  vi.useRealTimers();
  for (const m of managers.splice(0)) await m.close();
});

describe('bridge discovery', () => {
  it('finds the bridge whose FDB holds the MAC, in any spelling, skipping devices that are not bridges; null when none does', () => {
    table.addLink('vx0', { kind: 'vxlan' });
    table.addFdb(VM_MAC, 'vx0'); // a VXLAN's own FDB: not a bridge
    table.addFdb(VM_MAC, 'vp1');
    const m = manager();
    const br1 = table.linkByName('br1')!;
    expect(m.resolveBridgeByMac(VM_MAC)).toEqual({ name: 'br1', ifindex: br1.index });
    expect(m.resolveBridgeByMac('02-00-00-00-00-01')).toEqual({ name: 'br1', ifindex: br1.index });
    expect(m.resolveBridgeByMac('0200.0000.0001')?.name).toBe('br1');
    expect(m.resolveBridgeByMac('02:00:00:00:00:99')).toBeNull();
  });

  it('an entry on the bridge device itself names that bridge', () => {
    table.addFdb(VM_MAC, 'br0');
    expect(manager().resolveBridgeByMac(VM_MAC)?.name).toBe('br0');
  });

  it('rejects a malformed MAC before reading anything', async () => {
    const m = manager({ reader: unreadable });
    expect(() => m.resolveBridgeByMac('02:00:00:00:01')).toThrow(InvalidMacAddressError);
    expect(() => m.ensureRoute('02:00:00:00:00:zz')).toThrow(InvalidMacAddressError);
    expect(() => m.watch({ mac: 'nope' })).toThrow(InvalidMacAddressError);
  });
});

describe('ensureRoute', () => {
  it('installs the subnet through the bridge with the hostwire protocol, once', async () => {
    table.addFdb(VM_MAC, 'vp0');
    const m = manager();
    const first = await m.ensureRoute(VM_MAC);
    expect(first).toEqual({
      subnet: SUBNET,
      bridge: { name: 'br0', ifindex: table.linkByName('br0')!.index },
      mode: 'whole',
      routes: [SUBNET],
      changed: true,
    });
    expect(hostwireRoutes()).toEqual([`${SUBNET} br0`]);
    expect((await m.ensureRoute(VM_MAC)).changed).toBe(false);
    expect(hostwireRoutes()).toEqual([`${SUBNET} br0`]);
  });

  it('moves the route when the VM now sits behind another bridge', async () => {
    table.addFdb(VM_MAC, 'vp0');
    const m = manager();
    await m.ensureRoute(VM_MAC);
    table.removeFdb(VM_MAC, 'vp0');
    table.addFdb(VM_MAC, 'vp1');
    expect(await m.ensureRoute(VM_MAC)).toMatchObject({ changed: true, bridge: { name: 'br1' } });
    expect(hostwireRoutes()).toEqual([`${SUBNET} br1`]);
  });

  it('routes an IPv6 subnet', async () => {
    table.addFdb(VM_MAC, 'vp0');
    await manager({ subnet: 'fd00:77::/48' }).ensureRoute(VM_MAC);
    expect(hostwireRoutes()).toEqual(['fd00:77::/48 br0']);
  });

  it('retries while the bridge is not ready and succeeds once the FDB entry appears', async () => {
    const { logger, failed } = attemptLogger(({ attempt }) => {
      if (attempt === 2) table.addFdb(VM_MAC, 'vp0'); // the VM's NIC shows up mid-retry
    });
    const state = await manager({ logger }).ensureRoute(VM_MAC);
    expect(failed).toEqual([
      { attempt: 1, kind: 'bridge-not-ready' },
      { attempt: 2, kind: 'bridge-not-ready' },
    ]);
    expect(state.bridge.name).toBe('br0');
    expect(hostwireRoutes()).toEqual([`${SUBNET} br0`]);
  });

  it('gives up after the configured attempts, with exactly one pause between attempts and none after the last', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { logger, failed } = attemptLogger();
    let outcome: unknown = 'pending';
    void manager({ logger })
      .ensureRoute(VM_MAC, { attempts: 3, delayMs: 60_000 })
      .catch((e: unknown) => (outcome = e));
    await vi.advanceTimersByTimeAsync(0);
    expect(failed.map((f) => f.attempt)).toEqual([1]);
    expect(vi.getTimerCount()).toBe(1); // the pause
    await vi.advanceTimersByTimeAsync(59_999);
    expect(failed.map((f) => f.attempt)).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(failed.map((f) => f.attempt)).toEqual([1, 2]);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(failed.map((f) => f.attempt)).toEqual([1, 2, 3]);
    // Settled with the clock standing still: no pause after the last attempt.
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(outcome).toBeInstanceOf(RouteError);
    expect(outcome).toMatchObject({ kind: 'bridge-not-ready', code: 'ERR_ROUTE_BRIDGE_NOT_READY', attempts: 3, subnet: SUBNET });
    expect((outcome as Error).message).toBe(`no bridge has ${VM_MAC} in its forwarding database yet (gave up after 3 attempts)`);
  });

  it('stops at once when aborted during a pause, and the pause is cancelled', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const controller = new AbortController();
    const { logger, failed } = attemptLogger();
    const pending = manager({ logger })
      .ensureRoute(VM_MAC, { delayMs: 60_000, signal: controller.signal })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    expect(failed).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(1); // now in the pause
    controller.abort(new Error('shutting down'));
    const err = await pending; // with the clock standing still
    expect(vi.getTimerCount()).toBe(0);
    expect(err).toBeInstanceOf(RouteError);
    expect(err).toMatchObject({ kind: 'aborted', code: 'ERR_ROUTE_ABORTED', attempts: 1 });
    expect((err as Error).message).toBe(`gave up on ${SUBNET}: aborted after 1 attempt(s)`);
    expect((err as Error).cause).toEqual(new Error('shutting down'));
  });

  it('does not start when the signal is already aborted', async () => {
    table.addFdb(VM_MAC, 'vp0');
    const err = await manager({ reader: unreadable })
      .ensureRoute(VM_MAC, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'aborted', attempts: 0 });
    expect(hostwireRoutes()).toEqual([]);
  });

  it('retries a flaky executor: unavailable, failing, then the device not there yet', async () => {
    table.addFdb(VM_MAC, 'vp0');
    const failures = [new ExecutorUnavailableError('helper socket not there yet'), errno('EIO'), errno('ENODEV')];
    const executor = wrapped(() => {
      const failure = failures.shift();
      if (failure) throw failure;
    });
    const { logger, failed } = attemptLogger();
    const state = await manager({ executor, logger }).ensureRoute(VM_MAC);
    expect(failed).toEqual([
      { attempt: 1, kind: 'executor-unavailable' },
      { attempt: 2, kind: 'route-failed' },
      { attempt: 3, kind: 'bridge-not-ready' },
    ]);
    expect(executor.calls).toHaveLength(4);
    expect(state.changed).toBe(true);
    expect(hostwireRoutes()).toEqual([`${SUBNET} br0`]);
  });

  it('a failing executor gives up with the last failure, its cause kept', async () => {
    table.addFdb(VM_MAC, 'vp0');
    const executor = wrapped(() => {
      throw errno('EIO');
    });
    const err = await manager({ executor })
      .ensureRoute(VM_MAC, { attempts: 2 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'route-failed', code: 'ERR_ROUTE_FAILED', attempts: 2 });
    expect((err as Error).message).toBe(`routing ${SUBNET} to br0 failed: EIO: refused (gave up after 2 attempts)`);
    expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe('EIO');
    expect(executor.calls).toHaveLength(2);
  });

  it('EPERM and EACCES are not-permitted at once, not retried', async () => {
    table.addFdb(VM_MAC, 'vp0');
    for (const code of ['EPERM', 'EACCES']) {
      const executor = wrapped(() => {
        throw errno(code);
      });
      const err = await manager({ executor, delayMs: 60_000 })
        .ensureRoute(VM_MAC)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RouteError);
      expect(err).toMatchObject({ kind: 'not-permitted', code: 'ERR_ROUTE_NOT_PERMITTED', attempts: 1 });
      expect((err as Error).message).toBe(
        `routing ${SUBNET} is not permitted (needs CAP_NET_ADMIN, or a privileged executor): ${code}: refused`,
      );
      expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe(code);
      expect(executor.calls).toEqual([`replace ${SUBNET} br0`]);
    }
    expect(hostwireRoutes()).toEqual([]);
  });
});

describe('ensureRouteForBridge and ensureRouteForDevice', () => {
  it('routes to a named bridge without discovery', async () => {
    expect((await manager().ensureRouteForBridge('br1')).bridge.name).toBe('br1');
    expect(hostwireRoutes()).toEqual([`${SUBNET} br1`]);
  });

  it('refuses a device that is not a bridge, naming it and its kind: ERR_NOT_A_BRIDGE, not retried', async () => {
    const executor = wrapped(() => {});
    for (const [name, kind] of [
      ['lo', 'none: a device such as lo or a physical NIC'],
      ['vp0', 'veth'],
      ['vq1', 'veth'],
    ] as const) {
      const err = await manager({ executor, delayMs: 60_000 })
        .ensureRouteForBridge(name)
        .catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(RouteError);
      expect(err).toMatchObject({ kind: 'not-a-bridge', code: 'ERR_NOT_A_BRIDGE', attempts: 1, subnet: SUBNET });
      expect((err as Error).message).toBe(
        `${name} is not a bridge (its kind is ${kind}); to route to any interface, target it as a device`,
      );
    }
    expect(executor.calls).toEqual([]);
    expect(table.listRoutes()).toEqual([]);
  });

  it('ensureRouteForDevice routes to any interface, a bridge included', async () => {
    expect(await manager().ensureRouteForDevice('vq0')).toMatchObject({
      mode: 'whole',
      routes: [SUBNET],
      changed: true,
      bridge: { name: 'vq0' },
    });
    expect(hostwireRoutes()).toEqual([`${SUBNET} vq0`]);
    expect((await manager().ensureRouteForDevice('br1')).bridge.name).toBe('br1');
    expect(hostwireRoutes()).toEqual([`${SUBNET} br1`]);
  });

  it('gives up after 2 attempts on a missing bridge', async () => {
    const err = await manager()
      .ensureRouteForBridge('br9')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'bridge-not-ready', attempts: 2 });
    expect((err as Error).message).toBe('no interface named br9 (gave up after 2 attempts)');
  });

  it('a bridge that is down is not ready (the table, like the kernel, refuses the route with ENETDOWN)', async () => {
    table.setLinkUp('br1', false);
    const err = await manager()
      .ensureRouteForBridge('br1')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'bridge-not-ready', attempts: 2 });
    expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe('ENETDOWN');
    table.setLinkUp('br1', true);
    expect((await manager().ensureRouteForBridge('br1')).changed).toBe(true);
  });
});

describe('subnet width', () => {
  it('a subnet wider than /8 is refused when the manager is made, before anything is read', () => {
    expect(() => new RouteManager({ subnet: '0.0.0.0/1', reader: unreadable, executor: table })).toThrow(SubnetTooWideError);
    expect(() => new RouteManager({ subnet: 'fd00::/15', reader: unreadable, executor: table })).toThrow(
      expect.objectContaining({ code: 'ERR_SUBNET_TOO_WIDE', limit: 16 }),
    );
  });

  it('with allowWideSubnet it is routed, and split around another owner like any other', async () => {
    const m = manager({ subnet: '0.0.0.0/1', allowWideSubnet: true });
    expect(await m.ensureRouteForBridge('br0')).toMatchObject({ mode: 'whole', routes: ['0.0.0.0/1'] });
    table.addRoute('0.0.0.0/1', { device: 'br1', protocol: 'static', metric: 10 });
    expect(await m.ensureRouteForBridge('br0')).toMatchObject({ mode: 'split', routes: ['0.0.0.0/2', '64.0.0.0/2'] });
    expect(hostwireRoutes()).toEqual(['0.0.0.0/2 br0', '64.0.0.0/2 br0']);
  });
});

describe('conflicts with a route another owner installed', () => {
  beforeEach(() => {
    table.addFdb(VM_MAC, 'vp0');
    table.addRoute(SUBNET, { device: 'br1', protocol: 'static' }); // e.g. a VPN's
  });

  it('split (default): leaves it alone and installs the /13 halves', async () => {
    expect(await manager().ensureRoute(VM_MAC)).toMatchObject({ mode: 'split', routes: ['172.16.0.0/13', '172.24.0.0/13'], changed: true });
    expect(hostwireRoutes()).toEqual(['172.16.0.0/13 br0', '172.24.0.0/13 br0']);
    expect(foreignRoutes()).toEqual([`${SUBNET} br1`]);
  });

  it('fail: a conflict error naming the other route, not retried, nothing installed', async () => {
    const err = await manager({ policy: 'fail', delayMs: 60_000 })
      .ensureRoute(VM_MAC)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'conflict', code: 'ERR_ROUTE_CONFLICT', attempts: 1 });
    expect((err as Error).message).toBe(`${SUBNET} is already routed by proto static dev br1; policy "fail" leaves it alone`);
    expect(hostwireRoutes()).toEqual([]);
    expect(foreignRoutes()).toEqual([`${SUBNET} br1`]);
  });

  it("replace: removes the other route and installs hostwire's", async () => {
    const executor = wrapped(() => {});
    expect(await manager({ policy: 'replace', executor }).ensureRoute(VM_MAC)).toMatchObject({ mode: 'replaced', routes: [SUBNET] });
    expect(executor.calls).toEqual([`delete ${SUBNET} any`, `replace ${SUBNET} br0`]);
    expect(foreignRoutes()).toEqual([]);
    expect(hostwireRoutes()).toEqual([`${SUBNET} br0`]);
  });

  it('goes back to the whole subnet once the other route is gone, removing the halves', async () => {
    const executor = wrapped(() => {});
    const m = manager({ executor });
    await m.ensureRoute(VM_MAC);
    table.removeRoutes(SUBNET, { protocol: 'static' });
    executor.calls.length = 0;
    expect(await m.ensureRoute(VM_MAC)).toMatchObject({ mode: 'whole', changed: true, routes: [SUBNET] });
    expect(executor.calls).toEqual([`replace ${SUBNET} br0`, 'delete 172.16.0.0/13 hostwire', 'delete 172.24.0.0/13 hostwire']);
    expect(hostwireRoutes()).toEqual([`${SUBNET} br0`]);
  });

  it('a half routed by another owner too: the split is refused with the half named', async () => {
    table.addRoute('172.24.0.0/13', { device: 'br1', protocol: 'boot' });
    const err = await manager()
      .ensureRoute(VM_MAC)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_ROUTE_CONFLICT', attempts: 1 });
    expect((err as Error).message).toBe(
      `${SUBNET} is already routed by proto static dev br1, and so is its half 172.24.0.0/13 (proto boot dev br1); nothing left to route`,
    );
    expect(hostwireRoutes()).toEqual([]);
  });

  it('routes inside or around the subnet are no conflict', async () => {
    table.removeRoutes(SUBNET);
    for (const other of ['172.0.0.0/8', '172.17.0.0/16', '172.24.5.0/24', '10.0.0.0/8'])
      table.addRoute(other, { device: 'br1', protocol: 'static' });
    expect(await manager().ensureRoute(VM_MAC)).toMatchObject({ mode: 'whole', routes: [SUBNET] });
  });
});

describe('removeRoute', () => {
  it("says removed, then absent, and never touches other owners' routes", async () => {
    table.addFdb(VM_MAC, 'vp0');
    table.addRoute(SUBNET, { device: 'br1', protocol: 'static' });
    const m = manager();
    await m.ensureRoute(VM_MAC);
    expect(await m.removeRoute()).toEqual({ outcome: 'removed', subnet: SUBNET, removed: ['172.16.0.0/13', '172.24.0.0/13'] });
    expect(await m.removeRoute()).toEqual({ outcome: 'absent', subnet: SUBNET, removed: [] });
    expect(hostwireRoutes()).toEqual([]);
    expect(foreignRoutes()).toEqual([`${SUBNET} br1`]);
  });

  it('reports an unavailable executor instead of throwing, and leaves the route', async () => {
    await manager().ensureRouteForBridge('br0');
    const executor = wrapped(() => {
      throw new ExecutorUnavailableError('helper socket not there');
    });
    const result = await manager({ executor }).removeRoute();
    expect(result).toMatchObject({ outcome: 'executor-unavailable', subnet: SUBNET, removed: [] });
    expect(result.error).toBeInstanceOf(ExecutorUnavailableError);
    expect(hostwireRoutes()).toEqual([`${SUBNET} br0`]);
  });

  it('reports a failed deletion instead of throwing, with what was removed before it', async () => {
    table.addRoute(SUBNET, { device: 'br1', protocol: 'static' });
    await manager().ensureRouteForBridge('br0'); // split: two routes to remove
    const executor = wrapped((call) => {
      if (call.startsWith('delete 172.24.')) throw errno('EPERM');
    });
    const result = await manager({ executor }).removeRoute();
    expect(result).toMatchObject({ outcome: 'failed', removed: ['172.16.0.0/13'], error: { code: 'EPERM' } });
    expect(hostwireRoutes()).toEqual(['172.24.0.0/13 br0']);
    expect(foreignRoutes()).toEqual([`${SUBNET} br1`]);
  });
});

describe('watch', () => {
  // The periodic check is far away: only notifications can make these watchers act.
  const quiet = { debounceMs: 20, intervalMs: 600_000 };

  it('restores a route someone deleted, and one someone moved', async () => {
    table.addFdb(VM_MAC, 'vp0');
    const m = manager();
    await m.ensureRoute(VM_MAC);
    const watcher = m.watch({ mac: '0200.0000.0001' }, quiet); // any accepted spelling
    await once(watcher, 'checked'); // the first check found it in place

    const restored = once(watcher, 'restored');
    table.removeRoutes(SUBNET, { protocol: 'hostwire' });
    expect((await restored)[0]).toMatchObject({ changed: true, routes: [SUBNET] });
    expect(hostwireRoutes()).toEqual([`${SUBNET} br0`]);

    const movedBack = once(watcher, 'restored');
    await table.replaceRoute(parseSubnet(SUBNET), parseInterfaceName('br1'));
    await movedBack;
    expect(hostwireRoutes()).toEqual([`${SUBNET} br0`]);
    watcher.close();
  });

  it('splits when a foreign route appears, goes back to whole when it goes, and leaves the route in place when stopped', async () => {
    const m = manager();
    const watcher = m.watch({ bridge: 'br0' }, quiet);
    await once(watcher, 'restored'); // nothing was there: the first check installs it
    const split = once(watcher, 'restored');
    table.addRoute(SUBNET, { device: 'br1', protocol: 'static', metric: 50 }); // beside hostwire's, as a VPN coming up does
    expect((await split)[0]).toMatchObject({ mode: 'split' });
    expect(hostwireRoutes()).toEqual(['172.16.0.0/13 br0', '172.24.0.0/13 br0']);
    const whole = once(watcher, 'restored');
    table.removeRoutes(SUBNET, { protocol: 'static' });
    expect((await whole)[0]).toMatchObject({ mode: 'whole' });
    watcher.close();
    expect(watcher.closed).toBe(true);
    expect(hostwireRoutes()).toEqual([`${SUBNET} br0`]);
  });

  it("installs the route as soon as the VM's MAC shows up in the FDB", async () => {
    const watcher = manager().watch({ mac: '02-00-00-00-00-01' }, quiet);
    const [first] = await once(watcher, 'error');
    expect(first).toMatchObject({ kind: 'bridge-not-ready', message: `no bridge has ${VM_MAC} in its forwarding database` });
    const restored = once(watcher, 'restored');
    table.addFdb(VM_MAC, 'vp1');
    expect((await restored)[0]).toMatchObject({ bridge: { name: 'br1' }, routes: [SUBNET] });
    expect(hostwireRoutes()).toEqual([`${SUBNET} br1`]);
    watcher.close();
  });

  it('a watcher on a "bridge" that is not one reports ERR_NOT_A_BRIDGE', async () => {
    const watcher = manager().watch({ bridge: 'vp0' }, quiet);
    const [err] = await once(watcher, 'error');
    expect(err).toMatchObject({ code: 'ERR_NOT_A_BRIDGE' });
    watcher.close();
    expect(hostwireRoutes()).toEqual([]);
  });

  it('closes its feed when stopped: by stop(), by its signal, or by removeRoute()', async () => {
    table.addFdb(VM_MAC, 'vp0');
    let open = 0;
    const counting = new Proxy(table, {
      get(target, key) {
        if (key === 'subscribe') {
          return (...args: Parameters<MemoryRouteTable['subscribe']>) => {
            const feed = target.subscribe(...args);
            open++;
            return { close: () => (open--, feed.close()) };
          };
        }
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const m = manager({ reader: counting });
    const controller = new AbortController();
    const a = m.watch({ mac: VM_MAC }, { ...quiet, signal: controller.signal });
    const b = m.watch({ mac: VM_MAC }, quiet);
    const c = m.watch({ mac: VM_MAC }, quiet);
    expect(open).toBe(3);
    c.close();
    controller.abort();
    expect([a.closed, b.closed, c.closed, open]).toEqual([true, false, true, 1]);
    await once(b, 'restored');
    expect((await m.removeRoute()).outcome).toBe('removed');
    expect([b.closed, open]).toEqual([true, 0]);
    expect(hostwireRoutes()).toEqual([]);
  });
});

describe('serialisation per subnet', () => {
  /** Records when each executor call starts and ends, each taking a little while. */
  function recording(log: string[], on: MemoryRouteTable = table): RouteExecutor {
    const slow = () => new Promise((r) => setTimeout(r, 20));
    const tag = on === table ? '' : ' (other table)';
    return {
      replaceRoute: async (subnet, device) => {
        log.push(`replace ${subnet} ${device}${tag} start`);
        await slow();
        await on.replaceRoute(subnet, device);
        log.push(`replace ${subnet} ${device}${tag} end`);
      },
      removeRoute: async (subnet, owner) => {
        log.push(`delete ${subnet}${tag} start`);
        await slow();
        const outcome = await on.removeRoute(subnet, owner);
        log.push(`delete ${subnet}${tag} end`);
        return outcome;
      },
    };
  }

  it('an ensure racing a remove never interleaves; the later call wins', async () => {
    table.addFdb(VM_MAC, 'vp0');
    const log: string[] = [];
    const m = manager({ executor: recording(log) });
    const [state, removal] = await Promise.all([m.ensureRoute(VM_MAC), m.removeRoute()]);
    expect(state.changed).toBe(true);
    expect(removal.outcome).toBe('removed');
    expect(log).toEqual([`replace ${SUBNET} br0 start`, `replace ${SUBNET} br0 end`, `delete ${SUBNET} start`, `delete ${SUBNET} end`]);
    expect(hostwireRoutes()).toEqual([]);
  });

  it("two managers of one subnet on one table, ensuring at once, end with the second one's bridge", async () => {
    const log: string[] = [];
    const a = manager({ executor: recording(log) });
    const b = manager({ executor: recording(log) });
    await Promise.all([a.ensureRouteForBridge('br0'), b.ensureRouteForBridge('br1')]);
    expect(log).toEqual([
      `replace ${SUBNET} br0 start`,
      `replace ${SUBNET} br0 end`,
      `replace ${SUBNET} br1 start`,
      `replace ${SUBNET} br1 end`,
    ]);
    expect(hostwireRoutes()).toEqual([`${SUBNET} br1`]);
  });

  it('managers of two tables do not wait for each other', async () => {
    const other = topology();
    const log: string[] = [];
    const a = manager({ executor: recording(log) });
    const b = manager({ reader: other, executor: recording(log, other) });
    await Promise.all([a.ensureRouteForBridge('br0'), b.ensureRouteForBridge('br1')]);
    expect(log.slice(0, 2).sort()).toEqual([`replace ${SUBNET} br0 start`, `replace ${SUBNET} br1 (other table) start`]);
    expect(hostwireRoutes()).toEqual([`${SUBNET} br0`]);
    expect(hostwireRoutes(other)).toEqual([`${SUBNET} br1`]);
  });
});

describe('MemoryRouteTable', () => {
  it('keys routes as the kernel does: one per destination and metric', async () => {
    const subnet = parseSubnet('10.9.0.0/16');
    await table.replaceRoute(subnet, parseInterfaceName('br0'));
    await table.replaceRoute(subnet, parseInterfaceName('br1'));
    expect(hostwireRoutes()).toEqual(['10.9.0.0/16 br1']);
    expect(() => table.addRoute('10.9.0.0/16', { device: 'br0' })).toThrow(expect.objectContaining({ code: 'EEXIST', errno: 17 }));
    table.addRoute('10.9.0.0/16', { device: 'br0', protocol: 'static', metric: 5 });
    expect(table.listRoutes({ destinations: [{ dst: '10.9.0.0', prefix: 16 }] }).map((r) => [r.protocol, r.metric])).toEqual([
      [176, null],
      [4, 5],
    ]);
    expect(await table.removeRoute(subnet)).toBe('removed'); // hostwire's only
    expect(await table.removeRoute(subnet)).toBe('absent');
    expect(await table.removeRoute(subnet, 'any')).toBe('removed');
    expect(table.listRoutes()).toEqual([]);
  });

  it('refuses a route to a device that is missing (ENODEV) or down (ENETDOWN), as the kernel does', async () => {
    const subnet = parseSubnet('10.9.0.0/16');
    await expect(table.replaceRoute(subnet, parseInterfaceName('br9'))).rejects.toMatchObject({ code: 'ENODEV', errno: 19 });
    table.setLinkUp('br0', false);
    await expect(table.replaceRoute(subnet, parseInterfaceName('br0'))).rejects.toMatchObject({ code: 'ENETDOWN' });
    expect(table.linkByName('br0')).toMatchObject({ up: false, operstate: 'down' });
  });

  it('removing a link takes its routes and FDB entries with it, and releases its ports', () => {
    table.addFdb(VM_MAC, 'vp0');
    table.addRoute('10.9.0.0/16', { device: 'br0' });
    table.removeLink('br0');
    expect(table.linkByName('br0')).toBeNull();
    expect(table.listRoutes()).toEqual([]);
    expect(table.listFdb()).toEqual([]);
    expect(table.linkByName('vp0')).toMatchObject({ master: null });
  });

  it('tells subscribers of every change, one batch per turn of the event loop, until the feed is closed', async () => {
    const batches: string[][] = [];
    const feed = table.subscribe({
      events: (events) => batches.push(events.map((e) => `${e.kind} ${'action' in e ? e.action : ''}`)),
      error: () => {},
    });
    table.addFdb(VM_MAC, 'vp0');
    table.addRoute(SUBNET, { device: 'br0', protocol: 'static' });
    expect(batches).toEqual([]); // not synchronously: as a monitor's wakeup
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([['fdb new', 'route new']]);
    table.addBridge('br9');
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([['fdb new', 'route new'], ['link new']]);
    feed.close();
    table.removeLink('br9');
    await new Promise((r) => setImmediate(r));
    expect(batches).toHaveLength(2);
  });

  it('reads like Netlink: copies, null for what is not there, argument errors for bad names and indexes', () => {
    const link = table.linkByName('br0')!;
    link.name = 'changed';
    expect(table.linkByName('br0')).not.toBeNull();
    expect(table.linkByName('lo')).toMatchObject({ index: 1, kind: null, up: true });
    expect(table.linkByName('nope0')).toBeNull();
    expect(table.linkByIndex(999)).toBeNull();
    expect(() => table.linkByName('x'.repeat(16))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => table.linkByIndex(0)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => table.addLink('br0')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => table.addLink('vp9', { master: 'br9' })).toThrow(expect.objectContaining({ code: 'ENODEV' }));
  });
});
