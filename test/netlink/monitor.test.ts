// NetlinkMonitor against the real kernel: changes made in a test namespace
// (through Netlink, ip or bridge) arrive as decoded events. Waits are on the
// events themselves, never on a clock; vitest's timeout bounds a lost event.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HOSTWIRE_ROUTE_PROTOCOL,
  MAIN_TABLE,
  NeighbourState,
  Netlink,
  NetlinkMonitor,
  type NetlinkEvent,
} from '../../src/netlink/index.js';
import { startFixture } from '../helpers/child.js';
import { createTestNetns, type TestNetns } from '../helpers/netns.js';
import { describeAsRoot } from '../helpers/root.js';
import { ifindexes, isFdb, isLink, isRoute, nextEvent, record, thrown } from './shared.js';

const TIMEOUT = 30_000;

describe('NetlinkMonitor.open: arguments (no root needed)', () => {
  it('an unknown group is a TypeError (ERR_INVALID_ARG_VALUE), before the namespace is opened; an unknown namespace is ENOENT', () => {
    const err = thrown(() => NetlinkMonitor.open({ netns: 'hwtest-no-such-ns', groups: ['routes' as 'link'] }));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(err.message).toBe('unknown monitor group "routes"; use link, ipv4-route, ipv6-route, fdb');
    expect(thrown(() => NetlinkMonitor.open({ netns: 'hwtest-no-such-ns', groups: ['link'] }))).toMatchObject({
      code: 'ENOENT',
      path: '/run/netns/hwtest-no-such-ns',
    });
  });
});

describeAsRoot('NetlinkMonitor', () => {
  let ns: TestNetns;
  let nl: Netlink;
  let br0: number;
  const monitors: NetlinkMonitor[] = [];

  const open = (options: Parameters<typeof NetlinkMonitor.open>[0] = {}): NetlinkMonitor => {
    const monitor = NetlinkMonitor.open({ netns: ns.name, ...options });
    monitors.push(monitor);
    return monitor;
  };

  beforeEach(() => {
    ns = createTestNetns('monitor');
    ns.addBridge('br0');
    ns.addPort('br0', 'vp0', 'vq0');
    nl = Netlink.open({ netns: ns.name });
    br0 = nl.linkByName('br0')!.index;
  });

  afterEach(() => {
    for (const monitor of monitors.splice(0)) monitor.close();
    nl?.close();
    ns?.delete();
  });

  it('reports the namespace path it watches', () => {
    expect(open().netns).toBe(ns.path);
  });

  it(
    'a route added and then removed with Netlink arrives as route "new" then "removed" with its exact fields',
    async () => {
      const monitor = open({ groups: ['ipv4-route', 'link', 'fdb'] });
      const routeEvents: NetlinkEvent[] = [];
      monitor.on('route', (event) => routeEvents.push(event));

      const added = nextEvent(monitor, isRoute('new', '10.70.0.0', 16));
      nl.addRoute({ dst: '10.70.0.0', prefix: 16, oif: br0, protocol: 'hostwire' });
      const expected = {
        family: 4,
        dst: '10.70.0.0',
        prefix: 16,
        table: MAIN_TABLE,
        protocol: HOSTWIRE_ROUTE_PROTOCOL,
        scope: 253,
        type: 1,
        oif: br0,
        gateway: null,
        prefsrc: null,
        metric: null,
        multipath: false,
      };
      expect(await added).toEqual({ kind: 'route', action: 'new', route: expected });

      const removed = nextEvent(monitor, isRoute('removed', '10.70.0.0', 16));
      expect(nl.removeRoute({ dst: '10.70.0.0', prefix: 16, protocol: 'hostwire' })).toBe('removed');
      expect(await removed).toEqual({ kind: 'route', action: 'removed', route: expected });

      // The 'route' event saw the same two, in order.
      expect(routeEvents).toEqual([
        { kind: 'route', action: 'new', route: expected },
        { kind: 'route', action: 'removed', route: expected },
      ]);
    },
    TIMEOUT,
  );

  it(
    'a gateway route’s event carries the gateway',
    async () => {
      ns.ip('addr', 'add', '10.1.0.1/24', 'dev', 'br0');
      const monitor = open({ groups: ['ipv4-route'] });
      const added = nextEvent(monitor, isRoute('new', '10.71.0.0', 16));
      nl.addRoute({ dst: '10.71.0.0', prefix: 16, gateway: '10.1.0.2', protocol: 'hostwire', metric: 7 });
      expect((await added).route).toMatchObject({ oif: br0, gateway: '10.1.0.2', scope: 0, metric: 7, table: MAIN_TABLE });
    },
    TIMEOUT,
  );

  it(
    'IPv6 route events come only with the ipv6-route group; with ipv4-route alone they never arrive',
    async () => {
      const v4only = open({ groups: ['ipv4-route'] });
      const v6 = open({ groups: ['ipv6-route'] });
      const v4seen = record(v4only);
      const v6added = nextEvent(v6, isRoute('new', 'fd77:0:0:1::', 64));
      nl.addRoute({ dst: 'fd77:0:0:1::', prefix: 64, oif: br0, protocol: 'hostwire' });
      expect((await v6added).route).toMatchObject({ family: 6, oif: br0, metric: 1024, protocol: HOSTWIRE_ROUTE_PROTOCOL });
      // An IPv4 change made after it: once that arrives, anything IPv6 would have arrived before.
      const v4added = nextEvent(v4only, isRoute('new', '10.72.0.0', 16));
      nl.addRoute({ dst: '10.72.0.0', prefix: 16, oif: br0, protocol: 'hostwire' });
      await v4added;
      expect(v4seen.filter((e) => e.kind !== 'route' || e.route.family !== 4)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'a bridge created with ip arrives as a link "new" event with its index, name and kind',
    async () => {
      const monitor = open({ groups: ['ipv4-route', 'link', 'fdb'] });
      const linkEvents: NetlinkEvent[] = [];
      monitor.on('link', (event) => linkEvents.push(event));
      const created = nextEvent(monitor, isLink('new', 'br9'));
      ns.addBridge('br9');
      const event = await created;
      expect(event.link).toMatchObject({ index: ifindexes(ns).get('br9'), name: 'br9', kind: 'bridge', master: null, mtu: 1500 });
      expect(event.link.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
      expect(linkEvents).toContainEqual(event);

      const removed = nextEvent(monitor, isLink('removed', 'br9'));
      ns.ip('link', 'del', 'br9');
      expect((await removed).link).toMatchObject({ index: event.link.index, name: 'br9', kind: 'bridge' });
    },
    TIMEOUT,
  );

  it(
    'a static FDB entry added with bridge arrives as an fdb "new" event with its MAC, port and bridge',
    async () => {
      const monitor = open({ groups: ['ipv4-route', 'link', 'fdb'] });
      const fdbEvents: NetlinkEvent[] = [];
      monitor.on('fdb', (event) => fdbEvents.push(event));
      const index = ifindexes(ns);
      const added = nextEvent(monitor, isFdb('new', '02:00:00:00:00:cc'));
      ns.addFdb('02:00:00:00:00:cc', 'vp0');
      const entry = {
        mac: '02:00:00:00:00:cc',
        ifindex: index.get('vp0'),
        master: index.get('br0'),
        vlan: null,
        state: NeighbourState.NOARP,
        flags: 0,
        dst: null,
      };
      expect(await added).toEqual({ kind: 'fdb', action: 'new', fdb: entry });
      expect(fdbEvents).toContainEqual({ kind: 'fdb', action: 'new', fdb: entry });

      const removed = nextEvent(monitor, isFdb('removed', '02:00:00:00:00:cc'));
      ns.bridge('fdb', 'del', '02:00:00:00:00:cc', 'dev', 'vp0', 'master');
      expect((await removed).fdb).toMatchObject({ mac: '02:00:00:00:00:cc', ifindex: index.get('vp0'), master: index.get('br0') });
    },
    TIMEOUT,
  );

  it(
    'groups not asked for stay silent: a link-only monitor sees no route or fdb events',
    async () => {
      const linkOnly = open({ groups: ['link'] });
      const seen = record(linkOnly);
      nl.addRoute({ dst: '10.73.0.0', prefix: 16, oif: br0, protocol: 'hostwire' });
      ns.addFdb('02:00:00:00:00:dd', 'vp0');
      // A link change made last: by the time it arrives, the others would have too.
      const created = nextEvent(linkOnly, isLink('new', 'br8'));
      ns.addBridge('br8');
      await created;
      expect(seen.filter((e) => e.kind !== 'link')).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'close() stops events and is idempotent',
    async () => {
      const closed = open({ groups: ['ipv4-route'] });
      const witness = open({ groups: ['ipv4-route'] });
      const seen = record(closed);
      closed.close();
      expect(() => closed.close()).not.toThrow();
      expect(() => closed[Symbol.dispose]()).not.toThrow();
      // ref()/unref() after close are harmless.
      expect(() => closed.ref().unref()).not.toThrow();

      for (const dst of ['10.74.0.0', '10.75.0.0']) {
        const arrived = nextEvent(witness, isRoute('new', dst, 16));
        nl.addRoute({ dst, prefix: 16, oif: br0, protocol: 'hostwire' });
        await arrived;
      }
      expect(seen).toEqual([]);
    },
    TIMEOUT,
  );

  describe('keeping the process alive', () => {
    /** Runs the fixture; `whenReady` runs once it printed "ready". */
    async function runMonitorChild(
      mode: string,
      whenReady?: () => void,
    ): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
      const child = startFixture('netlink-monitor.ts', [ns.name, mode]);
      let stdout = '';
      let stderr = '';
      let readyHandled = false;
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (!readyHandled && stdout.includes('ready\n')) {
          readyHandled = true;
          whenReady?.();
        }
      });
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
      return { code, signal, stdout, stderr };
    }

    it(
      'a monitor opened with ref: false does not keep the process alive',
      async () => {
        const result = await runMonitorChild('unref-option');
        expect(result.stderr).toBe('');
        expect(result).toMatchObject({ code: 0, signal: null, stdout: 'ready\nexit 0\n' });
      },
      TIMEOUT,
    );

    it(
      'nor does one unref()’d after opening',
      async () => {
        const result = await runMonitorChild('unref-method');
        expect(result).toMatchObject({ code: 0, signal: null, stdout: 'ready\nexit 0\n' });
      },
      TIMEOUT,
    );

    it(
      'a ref’d monitor (the default) keeps the process alive until its event arrives and it is closed',
      async () => {
        const result = await runMonitorChild('ref', () => nl.addRoute({ dst: '10.76.0.0', prefix: 16, oif: br0, protocol: 'hostwire' }));
        expect(result).toMatchObject({ code: 0, signal: null });
        const lines = result.stdout.trimEnd().split('\n');
        expect(lines[0]).toBe('ready');
        expect(lines.at(-1)).toBe('exit 0');
        expect(lines).toHaveLength(3);
        const event = JSON.parse(lines[1]!.replace(/^event /, '')) as NetlinkEvent;
        expect(event).toMatchObject({
          kind: 'route',
          action: 'new',
          route: { dst: '10.76.0.0', prefix: 16, oif: br0, protocol: HOSTWIRE_ROUTE_PROTOCOL },
        });
      },
      TIMEOUT,
    );
  });
});
