// Routes through Netlink against the real kernel, each test in a namespace of
// its own: what addRoute installs is read back field by field, and dumps are
// checked against what `ip -j route show` prints for the same namespace.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOSTWIRE_ROUTE_PROTOCOL, MAIN_TABLE, Netlink, routeProtocolName, type Route } from '../../src/netlink/index.js';
import { createTestNetns, type TestNetns } from '../helpers/netns.js';
import { describeAsRoot } from '../helpers/root.js';
import { ipRoutes, protocolIdFromIp, settled, sortedRoutes, thrown } from './shared.js';

const SCOPE_UNIVERSE = 0;
const SCOPE_LINK = 253;
const SCOPE_HOST = 254;
const TYPE_UNICAST = 1;
const TYPE_LOCAL = 2;
const PROTO_KERNEL = 2;
const PROTO_BOOT = 3;
const PROTO_STATIC = 4;
const LOCAL_TABLE = 255;

// On a closed socket (no root needed): an argument error rather than EBADF
// shows the check comes before the kernel is asked, and a check that slipped
// could never change the host's routes.
describe('Netlink routes: argument checks', () => {
  const nl = Netlink.open();
  nl.close();
  const oif = 1;

  it('a gateway of the other family is a TypeError (ERR_INVALID_ARG_VALUE) before any syscall', () => {
    const v4 = thrown(() => nl.addRoute({ dst: '10.52.0.0', prefix: 16, gateway: 'fd00::1' }));
    expect(v4).toBeInstanceOf(TypeError);
    expect(v4.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(v4.message).toBe('The "gateway" argument must be an IPv4 address; received "fd00::1"');
    const v6 = thrown(() => nl.addRoute({ dst: 'fd77::', prefix: 64, gateway: '10.1.0.2' }));
    expect(v6).toBeInstanceOf(TypeError);
    expect(v6.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(v6.message).toBe('The "gateway" argument must be an IPv6 address; received "10.1.0.2"');
    // The same route with a gateway of its own family gets as far as the kernel.
    expect(thrown(() => nl.addRoute({ dst: '10.52.0.0', prefix: 16, gateway: '10.1.0.2' })).code).toBe('EBADF');
  });

  it('a prefix out of range for the family is a RangeError (ERR_OUT_OF_RANGE)', () => {
    const v4 = thrown(() => nl.addRoute({ dst: '10.52.0.0', prefix: 33, oif }));
    expect(v4).toBeInstanceOf(RangeError);
    expect(v4.code).toBe('ERR_OUT_OF_RANGE');
    expect(v4.message).toBe('The "prefix" option must be >= 0 and <= 32; received 33');
    const v6 = thrown(() => nl.routesTo('fd77::', 129));
    expect(v6).toBeInstanceOf(RangeError);
    expect(v6.code).toBe('ERR_OUT_OF_RANGE');
    expect(thrown(() => nl.getRoute('10.0.0.0', -1)).code).toBe('ERR_OUT_OF_RANGE');
    expect(thrown(() => nl.routesTo('fd77::', 128)).code).toBe('EBADF');
  });

  it('a destination that is not an address, an unknown protocol or a fractional prefix is an argument error', () => {
    for (const change of [nl.addRoute.bind(nl), nl.replaceRoute.bind(nl), nl.removeRoute.bind(nl)]) {
      expect(thrown(() => change({ dst: '10.52.0', prefix: 16, oif })).code).toBe('ERR_INVALID_ARG_VALUE');
      expect(thrown(() => change({ dst: '10.52.0.0', prefix: 16.5, oif })).code).toBe('ERR_OUT_OF_RANGE');
      expect(thrown(() => change({ dst: '10.52.0.0', prefix: '16' as unknown as number, oif })).code).toBe('ERR_INVALID_ARG_TYPE');
      expect(thrown(() => change({ dst: '10.52.0.0', prefix: 16, oif, protocol: 'no-such-proto' })).code).toBe('ERR_INVALID_ARG_VALUE');
      expect(thrown(() => change({ dst: '10.52.0.0', prefix: 16, oif, protocol: 256 })).code).toBe('ERR_OUT_OF_RANGE');
      expect(thrown(() => change({ dst: '10.52.0.0', prefix: 16, oif, protocol: 'hostwire' })).code).toBe('EBADF');
    }
  });

  it('bad filters are argument errors', () => {
    expect(thrown(() => nl.listRoutes({ family: 5 as 4 })).code).toBe('ERR_INVALID_ARG_VALUE');
    expect(thrown(() => nl.listRoutes({ table: 0 })).code).toBe('ERR_OUT_OF_RANGE');
    expect(thrown(() => nl.listRoutes({ protocol: 'nope' })).code).toBe('ERR_INVALID_ARG_VALUE');
    expect(thrown(() => nl.listRoutes({ family: 4, table: 1, protocol: 'static' })).code).toBe('EBADF');
  });

  it('lookupRoute of a non-address is ERR_INVALID_ARG_VALUE', () => {
    const err = thrown(() => nl.lookupRoute('nope'));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(thrown(() => nl.lookupRoute('10.0.0.1')).code).toBe('EBADF');
  });
});

describeAsRoot('Netlink routes', () => {
  let ns: TestNetns;
  let nl: Netlink;
  let br0: number;
  let br1: number;

  beforeEach(() => {
    ns = createTestNetns('routes');
    ns.addBridge('br0');
    ns.addBridge('br1');
    nl = Netlink.open({ netns: ns.name });
    br0 = nl.linkByName('br0')!.index;
    br1 = nl.linkByName('br1')!.index;
  });

  afterEach(() => {
    nl?.close();
    ns?.delete();
  });

  const route = (fields: Partial<Route>): Route => ({
    family: 4,
    dst: '0.0.0.0',
    prefix: 0,
    table: MAIN_TABLE,
    protocol: HOSTWIRE_ROUTE_PROTOCOL,
    scope: SCOPE_UNIVERSE,
    type: TYPE_UNICAST,
    oif: null,
    gateway: null,
    prefsrc: null,
    metric: null,
    multipath: false,
    ...fields,
  });

  describe('addRoute, then getRoute / routesTo', () => {
    it('an IPv4 device route reads back with scope link, table 254, protocol 176 and no metric', () => {
      nl.addRoute({ dst: '10.50.0.0', prefix: 16, oif: br0, protocol: 'hostwire' });
      const expected = route({ dst: '10.50.0.0', prefix: 16, oif: br0, scope: SCOPE_LINK });
      expect(nl.getRoute('10.50.0.0', 16)).toEqual(expected);
      expect(nl.routesTo('10.50.0.0', 16)).toEqual([expected]);
      // The kernel agrees: ip shows it on br0, proto 176, scope link.
      expect(ns.ipJson('route', 'show', '10.50.0.0/16')).toEqual([
        { dst: '10.50.0.0/16', dev: 'br0', protocol: '176', scope: 'link', flags: [] },
      ]);
    });

    it('protocol may be given as a number; an explicit IPv4 metric is reported', () => {
      nl.addRoute({ dst: '10.51.0.0', prefix: 16, oif: br0, protocol: HOSTWIRE_ROUTE_PROTOCOL, metric: 50 });
      expect(nl.getRoute('10.51.0.0', 16)).toEqual(route({ dst: '10.51.0.0', prefix: 16, oif: br0, scope: SCOPE_LINK, metric: 50 }));
    });

    it('without protocol or scope a route gets proto boot (3), as `ip route add` does', () => {
      nl.addRoute({ dst: '10.52.0.0', prefix: 16, oif: br0 });
      expect(nl.getRoute('10.52.0.0', 16)).toEqual(
        route({ dst: '10.52.0.0', prefix: 16, oif: br0, scope: SCOPE_LINK, protocol: PROTO_BOOT }),
      );
    });

    it('an IPv4 host route (/32) with protocol "static"', () => {
      nl.addRoute({ dst: '10.9.9.9', prefix: 32, oif: br1, protocol: 'static' });
      expect(nl.getRoute('10.9.9.9', 32)).toEqual(
        route({ dst: '10.9.9.9', prefix: 32, oif: br1, scope: SCOPE_LINK, protocol: PROTO_STATIC }),
      );
    });

    it('an IPv4 route via a gateway is universe-scoped and carries the gateway and its device', () => {
      ns.ip('addr', 'add', '10.1.0.1/24', 'dev', 'br0');
      nl.addRoute({ dst: '10.53.0.0', prefix: 16, gateway: '10.1.0.2', protocol: 'hostwire' });
      expect(nl.getRoute('10.53.0.0', 16)).toEqual(route({ dst: '10.53.0.0', prefix: 16, oif: br0, gateway: '10.1.0.2' }));
    });

    it('an IPv4 default route (0.0.0.0/0) via a gateway', () => {
      ns.ip('addr', 'add', '10.1.0.1/24', 'dev', 'br0');
      nl.addRoute({ dst: '0.0.0.0', prefix: 0, gateway: '10.1.0.254', protocol: 'hostwire' });
      expect(nl.getRoute('0.0.0.0', 0)).toEqual(route({ oif: br0, gateway: '10.1.0.254' }));
    });

    it('an IPv6 route with a zero run in its address gets the kernel default metric 1024', () => {
      nl.addRoute({ dst: 'fd77:0:0:1::', prefix: 64, oif: br0, protocol: 'hostwire' });
      const expected = route({ family: 6, dst: 'fd77:0:0:1::', prefix: 64, oif: br0, metric: 1024 });
      expect(nl.getRoute('fd77:0:0:1::', 64)).toEqual(expected);
      // Any spelling of the same address finds it; it is reported in RFC 5952 form.
      expect(nl.routesTo('FD77:0000:0000:0001:0000:0000:0000:0000', 64)).toEqual([expected]);
    });

    it('IPv6 addresses print the first of two equally long zero runs as "::" (fd00::1:0:0:0/80)', () => {
      nl.addRoute({ dst: 'fd00:0:0:0:1::', prefix: 80, oif: br0, protocol: 'hostwire' });
      const [got] = nl.routesTo('fd00::1:0:0:0', 80);
      expect(got?.dst).toBe('fd00::1:0:0:0');
      expect(ns.ipJson<{ dst: string }[]>('-6', 'route', 'show', 'fd00::1:0:0:0/80').map((r) => r.dst)).toEqual(['fd00::1:0:0:0/80']);
    });

    it('an IPv6 /128 host route with an explicit metric', () => {
      nl.addRoute({ dst: 'fd77:0:0:8::1', prefix: 128, oif: br1, protocol: 'hostwire', metric: 300 });
      expect(nl.getRoute('fd77:0:0:8::1', 128)).toEqual(route({ family: 6, dst: 'fd77:0:0:8::1', prefix: 128, oif: br1, metric: 300 }));
    });

    it('an IPv6 route via a gateway on a connected prefix', () => {
      ns.ip('-6', 'addr', 'add', 'fd77:0:0:1::1/64', 'dev', 'br0', 'nodad');
      nl.addRoute({ dst: 'fd77:0:0:9::', prefix: 64, gateway: 'fd77:0:0:1::2', protocol: 'hostwire' });
      expect(nl.getRoute('fd77:0:0:9::', 64)).toEqual(
        route({ family: 6, dst: 'fd77:0:0:9::', prefix: 64, oif: br0, gateway: 'fd77:0:0:1::2', metric: 1024 }),
      );
    });

    it('two IPv6 routes to one prefix with different metrics: routesTo lists both, getRoute picks the lowest', () => {
      nl.addRoute({ dst: 'fd77:0:0:3::', prefix: 64, oif: br0, protocol: 'hostwire', metric: 200 });
      nl.addRoute({ dst: 'fd77:0:0:3::', prefix: 64, oif: br1, protocol: 'hostwire', metric: 100 });
      const all = nl.routesTo('fd77:0:0:3::', 64);
      expect(all.map((r) => [r.oif, r.metric]).sort()).toEqual(
        [
          [br0, 200],
          [br1, 100],
        ].sort(),
      );
      expect(nl.getRoute('fd77:0:0:3::', 64)).toMatchObject({ oif: br1, metric: 100 });
    });

    it('a route in another table is found with { table } and not in main', () => {
      nl.addRoute({ dst: '10.61.0.0', prefix: 16, oif: br0, table: 1000, protocol: 'hostwire' });
      expect(nl.getRoute('10.61.0.0', 16, { table: 1000 })).toEqual(
        route({ dst: '10.61.0.0', prefix: 16, oif: br0, scope: SCOPE_LINK, table: 1000 }),
      );
      expect(nl.getRoute('10.61.0.0', 16)).toBeNull();
      expect(ns.ipJson('route', 'show', 'table', '1000')).toEqual([
        { dst: '10.61.0.0/16', dev: 'br0', protocol: '176', scope: 'link', flags: [] },
      ]);
    });

    it('getRoute of a prefix nobody installed is null, routesTo is []', () => {
      nl.addRoute({ dst: '10.50.0.0', prefix: 16, oif: br0, protocol: 'hostwire' });
      expect(nl.getRoute('10.50.0.0', 17)).toBeNull();
      expect(nl.getRoute('10.51.0.0', 16)).toBeNull();
      expect(nl.routesTo('fd77::', 16)).toEqual([]);
    });
  });

  describe('errors', () => {
    it('adding the same route twice fails with EEXIST (errno 17) from RTM_NEWROUTE, naming the namespace', () => {
      nl.addRoute({ dst: '10.50.0.0', prefix: 16, oif: br0, protocol: 'hostwire' });
      const err = thrown(() => nl.addRoute({ dst: '10.50.0.0', prefix: 16, oif: br0, protocol: 'hostwire' }));
      expect(err).toBeInstanceOf(Error);
      expect(err).toMatchObject({ code: 'EEXIST', errno: 17, syscall: 'RTM_NEWROUTE', netns: ns.path });
      expect(err.message).toMatch(/^EEXIST: /);
      expect(nl.routesTo('10.50.0.0', 16)).toHaveLength(1);
    });

    it('adding the same IPv6 route twice fails with EEXIST too', () => {
      nl.addRoute({ dst: 'fd77:0:0:1::', prefix: 64, oif: br0, protocol: 'hostwire' });
      const err = thrown(() => nl.addRoute({ dst: 'fd77:0:0:1::', prefix: 64, oif: br0, protocol: 'hostwire' }));
      expect(err).toMatchObject({ code: 'EEXIST', errno: 17, syscall: 'RTM_NEWROUTE' });
    });

    it('a gateway no link reaches: ENETUNREACH with the kernel’s extended-ack text in the message', () => {
      const err = thrown(() => nl.addRoute({ dst: '10.52.0.0', prefix: 16, gateway: '10.99.0.1', protocol: 'hostwire' }));
      expect(err).toMatchObject({ code: 'ENETUNREACH', errno: 101, syscall: 'RTM_NEWROUTE', netns: ns.path });
      expect(err.message).toContain('Nexthop has invalid gateway');
      expect(nl.getRoute('10.52.0.0', 16)).toBeNull();
    });

    it('an IPv4 destination with host bits set is refused by the kernel with EINVAL', () => {
      const err = thrown(() => nl.addRoute({ dst: '10.51.0.1', prefix: 16, oif: br0, protocol: 'hostwire' }));
      expect(err).toMatchObject({ code: 'EINVAL', errno: 22, syscall: 'RTM_NEWROUTE' });
      expect(err.message).toContain('Invalid prefix for given prefix length');
      expect(nl.listRoutes({ family: 4 })).toEqual([]);
    });

    it('an IPv6 destination with host bits set is masked by the kernel, not refused', () => {
      nl.addRoute({ dst: 'fd77:0:0:5::1', prefix: 64, oif: br0, protocol: 'hostwire' });
      expect(nl.getRoute('fd77:0:0:5::', 64)).toMatchObject({ dst: 'fd77:0:0:5::', prefix: 64, oif: br0 });
    });

    it('an unknown output interface is ENODEV from the kernel', () => {
      const err = thrown(() => nl.addRoute({ dst: '10.62.0.0', prefix: 16, oif: 9999, protocol: 'hostwire' }));
      expect(err).toMatchObject({ code: 'ENODEV', errno: 19, syscall: 'RTM_NEWROUTE' });
    });
  });

  describe('replaceRoute and removeRoute', () => {
    it('replaceRoute moves an IPv4 route to another device, leaving exactly one route', () => {
      nl.addRoute({ dst: '10.80.0.0', prefix: 16, oif: br0, protocol: 'hostwire' });
      nl.replaceRoute({ dst: '10.80.0.0', prefix: 16, oif: br1, protocol: 'hostwire' });
      expect(nl.routesTo('10.80.0.0', 16)).toEqual([route({ dst: '10.80.0.0', prefix: 16, oif: br1, scope: SCOPE_LINK })]);
      expect(ns.ipJson<{ dev: string }[]>('route', 'show', '10.80.0.0/16').map((r) => r.dev)).toEqual(['br1']);
    });

    it('replaceRoute moves an IPv6 route of the same metric to another device', () => {
      nl.addRoute({ dst: 'fd77:0:0:2::', prefix: 64, oif: br0, protocol: 'hostwire' });
      nl.replaceRoute({ dst: 'fd77:0:0:2::', prefix: 64, oif: br1, protocol: 'hostwire' });
      expect(nl.routesTo('fd77:0:0:2::', 64)).toEqual([route({ family: 6, dst: 'fd77:0:0:2::', prefix: 64, oif: br1, metric: 1024 })]);
    });

    it('replaceRoute adds a route that does not exist yet', () => {
      nl.replaceRoute({ dst: '10.81.0.0', prefix: 16, oif: br0, protocol: 'hostwire' });
      expect(nl.routesTo('10.81.0.0', 16)).toEqual([route({ dst: '10.81.0.0', prefix: 16, oif: br0, scope: SCOPE_LINK })]);
    });

    it('removeRoute returns "removed", then "absent" for the same route', () => {
      nl.addRoute({ dst: '10.82.0.0', prefix: 16, oif: br0, protocol: 'hostwire' });
      expect(nl.removeRoute({ dst: '10.82.0.0', prefix: 16 })).toBe('removed');
      expect(nl.getRoute('10.82.0.0', 16)).toBeNull();
      expect(nl.removeRoute({ dst: '10.82.0.0', prefix: 16 })).toBe('absent');
    });

    it('removeRoute of an IPv6 route with its protocol: "removed", then "absent"', () => {
      nl.addRoute({ dst: 'fd77:0:0:4::', prefix: 64, oif: br0, protocol: 'hostwire' });
      expect(nl.removeRoute({ dst: 'fd77:0:0:4::', prefix: 64, protocol: 'hostwire' })).toBe('removed');
      expect(nl.routesTo('fd77:0:0:4::', 64)).toEqual([]);
      expect(nl.removeRoute({ dst: 'fd77:0:0:4::', prefix: 64, protocol: 'hostwire' })).toBe('absent');
    });

    it('removeRoute with another protocol than the route’s is "absent" and the route stays (IPv4 and IPv6)', () => {
      nl.addRoute({ dst: '10.83.0.0', prefix: 16, oif: br0, protocol: 'static' });
      nl.addRoute({ dst: 'fd77:0:0:6::', prefix: 64, oif: br0, protocol: 'static' });
      expect(nl.removeRoute({ dst: '10.83.0.0', prefix: 16, protocol: 'hostwire' })).toBe('absent');
      expect(nl.removeRoute({ dst: 'fd77:0:0:6::', prefix: 64, protocol: HOSTWIRE_ROUTE_PROTOCOL })).toBe('absent');
      expect(nl.getRoute('10.83.0.0', 16)).toMatchObject({ protocol: PROTO_STATIC, oif: br0 });
      expect(nl.getRoute('fd77:0:0:6::', 64)).toMatchObject({ protocol: PROTO_STATIC, oif: br0 });
      expect(nl.removeRoute({ dst: '10.83.0.0', prefix: 16, protocol: 'static' })).toBe('removed');
    });

    it('removeRoute with another device than the route’s is "absent"; with its own, "removed"', () => {
      nl.addRoute({ dst: '10.84.0.0', prefix: 16, oif: br0, protocol: 'hostwire' });
      expect(nl.removeRoute({ dst: '10.84.0.0', prefix: 16, oif: br1 })).toBe('absent');
      expect(nl.getRoute('10.84.0.0', 16)).not.toBeNull();
      expect(nl.removeRoute({ dst: '10.84.0.0', prefix: 16, oif: br0 })).toBe('removed');
    });

    it('table ids of 2^31 and above reach the kernel as they are, not as main', () => {
      const big = 3_000_000_000;
      nl.addRoute({ dst: '10.61.0.0', prefix: 16, oif: br0, protocol: 'hostwire' });
      nl.addRoute({ dst: '10.61.0.0', prefix: 16, oif: br1, protocol: 'hostwire', table: big });
      expect(nl.routesTo('10.61.0.0', 16, { table: big }).map((r) => [r.table, r.oif])).toEqual([[big, br1]]);
      expect(nl.removeRoute({ dst: '10.61.0.0', prefix: 16, table: big })).toBe('removed');
      expect(nl.routesTo('10.61.0.0', 16, { table: big })).toEqual([]);
      expect(nl.routesTo('10.61.0.0', 16).map((r) => r.oif)).toEqual([br0]);
    });

    it('removeRoute in another table leaves main alone', () => {
      nl.addRoute({ dst: '10.85.0.0', prefix: 16, oif: br0, protocol: 'hostwire' });
      expect(nl.removeRoute({ dst: '10.85.0.0', prefix: 16, table: 1000 })).toBe('absent');
      expect(nl.getRoute('10.85.0.0', 16)).not.toBeNull();
    });
  });

  describe('listRoutes', () => {
    beforeEach(() => {
      ns.ip('addr', 'add', '10.1.0.1/24', 'dev', 'br0');
      ns.ip('-6', 'addr', 'add', 'fd77:0:0:1::1/64', 'dev', 'br0', 'nodad');
      nl.addRoute({ dst: '0.0.0.0', prefix: 0, gateway: '10.1.0.254' });
      nl.addRoute({ dst: '10.50.0.0', prefix: 16, oif: br0, protocol: 'hostwire' });
      nl.addRoute({ dst: '10.53.0.0', prefix: 16, gateway: '10.1.0.2', protocol: 'hostwire', metric: 20 });
      nl.addRoute({ dst: '10.9.9.9', prefix: 32, oif: br1, protocol: 'static' });
      nl.addRoute({ dst: '10.61.0.0', prefix: 16, oif: br0, table: 1000, protocol: 'hostwire' });
      nl.addRoute({ dst: '::', prefix: 0, gateway: 'fd77:0:0:1::fe' });
      nl.addRoute({ dst: 'fd77:0:0:2::', prefix: 64, oif: br1, protocol: 'hostwire' });
      nl.addRoute({ dst: 'fd00:0:0:0:1::', prefix: 80, oif: br0, protocol: 'hostwire', metric: 5 });
      nl.addRoute({ dst: 'fd77:0:0:8::1', prefix: 128, oif: br0, metric: 300 });
    });

    it('the IPv4 main table equals `ip -j route show` field for field', () => {
      const { theirs, ours } = settled(
        () => ipRoutes(ns, 4),
        () => sortedRoutes(nl.listRoutes({ family: 4 })),
      );
      expect(theirs).toHaveLength(5); // default, 10.1.0.0/24 (kernel), 10.50/16, 10.53/16, 10.9.9.9
      expect(ours).toEqual(theirs);
    });

    it('the IPv6 main table equals `ip -j -6 route show` field for field', () => {
      const { theirs, ours } = settled(
        () => ipRoutes(ns, 6),
        () => sortedRoutes(nl.listRoutes({ family: 6 })),
      );
      expect(theirs.map((r) => `${r.dst}/${r.prefix}`)).toEqual(
        expect.arrayContaining(['::/0', 'fd77:0:0:1::/64', 'fd77:0:0:2::/64', 'fd00::1:0:0:0/80', 'fd77:0:0:8::1/128']),
      );
      expect(ours).toEqual(theirs);
    });

    it('with no filter it is both families of the main table: the two lists above together', () => {
      const { theirs, ours } = settled(
        () => [...ipRoutes(ns, 4), ...ipRoutes(ns, 6)],
        () => nl.listRoutes(),
      );
      expect(ours.every((r) => r.table === MAIN_TABLE)).toBe(true);
      expect(ours.filter((r) => r.family === 4)).toHaveLength(5);
      expect([...sortedRoutes(ours.filter((r) => r.family === 4)), ...sortedRoutes(ours.filter((r) => r.family === 6))]).toEqual(theirs);
    });

    it('protocol names: ip’s words are routeProtocolName’s; 176, which ip has no name for, is "hostwire"', () => {
      const printed = ns.ipJson<{ protocol?: string }[]>('route', 'show').map((r) => r.protocol ?? 'boot');
      expect(new Set(printed)).toEqual(new Set(['boot', 'kernel', 'static', '176']));
      for (const label of printed.filter((p) => !/^\d+$/.test(p))) {
        expect(routeProtocolName(protocolIdFromIp(label))).toBe(label);
      }
      expect(routeProtocolName(176)).toBe('hostwire');
    });

    it('table "all" with family 4 equals `ip -4 -j route show table all`, local table (255) included', () => {
      const { theirs, ours } = settled(
        () => ipRoutes(ns, 4, 'table', 'all'),
        () => nl.listRoutes({ table: 'all', family: 4 }),
      );
      expect(sortedRoutes(ours)).toEqual(theirs);
      expect(new Set(ours.map((r) => r.table))).toEqual(new Set([254, 255, 1000]));
      expect(ours).toContainEqual(
        route({
          dst: '127.0.0.1',
          prefix: 32,
          table: LOCAL_TABLE,
          protocol: PROTO_KERNEL,
          scope: SCOPE_HOST,
          type: TYPE_LOCAL,
          oif: 1,
          prefsrc: '127.0.0.1',
        }),
      );
      expect(ours).toContainEqual(
        route({
          dst: '10.1.0.1',
          prefix: 32,
          table: LOCAL_TABLE,
          protocol: PROTO_KERNEL,
          scope: SCOPE_HOST,
          type: TYPE_LOCAL,
          oif: br0,
          prefsrc: '10.1.0.1',
        }),
      );
    });

    it('table "all" with family 6 equals `ip -6 -j route show table all`, with ::1 in the local table', () => {
      const { theirs, ours } = settled(
        () => ipRoutes(ns, 6, 'table', 'all'),
        () => nl.listRoutes({ table: 'all', family: 6 }),
      );
      expect(sortedRoutes(ours)).toEqual(theirs);
      expect(ours).toContainEqual(
        route({ family: 6, dst: '::1', prefix: 128, table: LOCAL_TABLE, protocol: PROTO_KERNEL, type: TYPE_LOCAL, oif: 1, metric: 0 }),
      );
    });

    it('table 1000 is only that table’s route', () => {
      expect(nl.listRoutes({ table: 1000 })).toEqual([route({ dst: '10.61.0.0', prefix: 16, oif: br0, table: 1000, scope: SCOPE_LINK })]);
    });

    it('protocol "hostwire" (or 176) keeps only routes of that protocol, both families', () => {
      const mine = nl.listRoutes({ protocol: 'hostwire' });
      expect(mine.map((r) => `${r.dst}/${r.prefix}`).sort()).toEqual(
        ['10.50.0.0/16', '10.53.0.0/16', 'fd00::1:0:0:0/80', 'fd77:0:0:2::/64'].sort(),
      );
      expect(nl.listRoutes({ protocol: HOSTWIRE_ROUTE_PROTOCOL })).toEqual(mine);
      expect(
        nl
          .listRoutes({ protocol: 'hostwire', family: 4 })
          .map((r) => r.dst)
          .sort(),
      ).toEqual(['10.50.0.0', '10.53.0.0']);
      expect(
        nl
          .listRoutes({ protocol: 'hostwire', table: 'all' })
          .map((r) => r.table)
          .sort((a, b) => a - b),
      ).toEqual([254, 254, 254, 254, 1000]);
    });

    it('oif keeps only routes out of that device', () => {
      expect(nl.listRoutes({ oif: br1, family: 4 }).map((r) => `${r.dst}/${r.prefix}`)).toEqual(['10.9.9.9/32']);
      // IPv6 adds br1's own link-local prefix.
      expect(
        nl
          .listRoutes({ oif: br1, family: 6 })
          .map((r) => `${r.dst}/${r.prefix}`)
          .sort(),
      ).toEqual(['fd77:0:0:2::/64', 'fe80::/64']);
      expect(nl.listRoutes({ oif: 9999 })).toEqual([]);
    });
  });

  describe('lookupRoute', () => {
    it('finds the route the kernel would use: 10.77.1.1 over 10.77.0.0/16 on br1', () => {
      nl.addRoute({ dst: '10.77.0.0', prefix: 16, oif: br1, protocol: 'hostwire' });
      expect(nl.lookupRoute('10.77.1.1')).toEqual(route({ dst: '10.77.1.1', prefix: 32, oif: br1, protocol: 0, scope: SCOPE_UNIVERSE }));
    });

    it('reports the gateway and source address the kernel picks', () => {
      ns.ip('addr', 'add', '10.1.0.1/24', 'dev', 'br0');
      nl.addRoute({ dst: '10.78.0.0', prefix: 16, gateway: '10.1.0.2', protocol: 'hostwire' });
      expect(nl.lookupRoute('10.78.3.4')).toMatchObject({
        dst: '10.78.3.4',
        prefix: 32,
        oif: br0,
        gateway: '10.1.0.2',
        prefsrc: '10.1.0.1',
      });
    });

    it('IPv6: fd77:0:0:9::5 over fd77:0:0:9::/64 on br0', () => {
      nl.addRoute({ dst: 'fd77:0:0:9::', prefix: 64, oif: br0, protocol: 'hostwire' });
      expect(nl.lookupRoute('fd77:0:0:9::5')).toMatchObject({
        family: 6,
        dst: 'fd77:0:0:9::5',
        prefix: 128,
        oif: br0,
        protocol: HOSTWIRE_ROUTE_PROTOCOL,
      });
    });

    it('an address no route reaches, in a namespace without routes, is null (IPv4 and IPv6)', () => {
      expect(nl.listRoutes({ family: 4 })).toEqual([]);
      expect(nl.listRoutes({ family: 6 }).map((r) => r.dst)).toEqual(['fe80::', 'fe80::']); // the bridges' link-local prefixes only
      expect(nl.lookupRoute('192.0.2.1')).toBeNull();
      expect(nl.lookupRoute('2001:db8::1')).toBeNull();
    });
  });
});
