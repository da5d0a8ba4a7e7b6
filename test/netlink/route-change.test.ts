// The addon's changeRoute(): one packed Uint32Array of numbers (slots from
// constants.routeChange) plus the destination and gateway as text. It sends
// every number as it gets it; the route defaults are Netlink's, in TypeScript.
// Each test runs in a network namespace of its own; `ip -j` checks the kernel.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { native, type NativeNetlink } from '../../src/native.js';
import { Netlink } from '../../src/netlink/index.js';
import { createTestNetns, type TestNetns } from '../helpers/netns.js';
import { describeAsRoot } from '../helpers/root.js';
import { thrown } from './shared.js';

const { routeOp, routeChange: C, kernel } = native.netlink.constants;

interface Change {
  op: number;
  prefix: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  oif?: number;
  metric?: number;
}

function packed(change: Change): Uint32Array {
  const out = new Uint32Array(C.length);
  out[C.op] = change.op;
  out[C.prefix] = change.prefix;
  out[C.table] = change.table;
  out[C.protocol] = change.protocol;
  out[C.scope] = change.scope;
  out[C.type] = change.type;
  out[C.oif] = change.oif ?? 0;
  out[C.metric] = change.metric ?? 0;
  out[C.bits] = (change.oif === undefined ? 0 : C.hasOif) | (change.metric === undefined ? 0 : C.hasMetric);
  return out;
}

describeAsRoot('native changeRoute', () => {
  let ns: TestNetns;
  let socket: NativeNetlink;
  let nl: Netlink;
  let br0: number;

  beforeEach(() => {
    ns = createTestNetns('change');
    ns.addBridge('br0');
    socket = new native.netlink.Netlink(ns.name);
    nl = Netlink.open({ netns: ns.name });
    br0 = nl.linkByName('br0')!.index;
  });

  afterEach(() => {
    socket?.close();
    nl?.close();
    ns?.delete();
  });

  it('sends every number as given: an IPv4 device route asked for scope universe gets universe, not link', () => {
    const change = { op: routeOp.add, prefix: 16, table: 1234, protocol: 177, scope: kernel.RT_SCOPE_UNIVERSE, type: kernel.RTN_UNICAST };
    expect(socket.changeRoute(packed({ ...change, oif: br0, metric: 7 }), '10.70.0.0', null)).toBe(true);
    expect(nl.routesTo('10.70.0.0', 16, { table: 1234 })).toEqual([
      expect.objectContaining({
        table: 1234,
        protocol: 177,
        scope: kernel.RT_SCOPE_UNIVERSE,
        type: kernel.RTN_UNICAST,
        oif: br0,
        metric: 7,
      }),
    ]);
    // iproute2 prints no scope for universe ("global").
    expect(ns.ipJson<object[]>('route', 'show', 'table', '1234')).toEqual([
      { dst: '10.70.0.0/16', dev: 'br0', protocol: '177', metric: 7, flags: [] },
    ]);
  });

  it('leaves out what its bits leave out: no oif, no metric', () => {
    ns.ip('addr', 'add', '10.1.0.1/24', 'dev', 'br0');
    const change = packed({ op: routeOp.replace, prefix: 16, table: 254, protocol: 176, scope: 0, type: kernel.RTN_UNICAST });
    expect(socket.changeRoute(change, '10.71.0.0', '10.1.0.2')).toBe(true);
    expect(nl.routesTo('10.71.0.0', 16)).toEqual([expect.objectContaining({ gateway: '10.1.0.2', oif: br0, metric: null })]);
  });

  it('a removal with the wildcard numbers removes the route whatever its protocol and scope; then it is absent (false)', () => {
    nl.addRoute({ dst: '10.72.0.0', prefix: 16, oif: br0, protocol: 'static' });
    const remove = packed({
      op: routeOp.remove,
      prefix: 16,
      table: kernel.RT_TABLE_MAIN,
      protocol: kernel.RTPROT_UNSPEC,
      scope: kernel.RT_SCOPE_NOWHERE,
      type: kernel.RTN_UNSPEC,
    });
    expect(socket.changeRoute(remove, '10.72.0.0', null)).toBe(true);
    expect(nl.routesTo('10.72.0.0', 16)).toEqual([]);
    expect(socket.changeRoute(remove, '10.72.0.0', null)).toBe(false);
  });

  it('refuses a request it cannot send as given, before any syscall', () => {
    const good = { op: routeOp.add, prefix: 16, table: 254, protocol: 176, scope: 0, type: 1, oif: br0 };
    expect(thrown(() => socket.changeRoute(new Int32Array(C.length) as never, '10.73.0.0', null))).toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
    expect(thrown(() => socket.changeRoute(new Uint32Array(C.length - 1), '10.73.0.0', null))).toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
    expect(thrown(() => socket.changeRoute(packed({ ...good, op: 3 }), '10.73.0.0', null))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    expect(thrown(() => socket.changeRoute(packed({ ...good, protocol: 256 }), '10.73.0.0', null))).toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
    });
    expect(thrown(() => socket.changeRoute(packed({ ...good, prefix: 33 }), '10.73.0.0', null))).toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
    });
    expect(thrown(() => socket.changeRoute(packed(good), '10.73.0.0', 'fd00::1'))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    expect(ns.ipJson('route', 'show', 'table', 'all', '10.73.0.0/16')).toEqual([]);
  });
});

describeAsRoot('Netlink route defaults, decided in TypeScript', () => {
  let ns: TestNetns;
  let nl: Netlink;
  let br0: number;

  beforeEach(() => {
    ns = createTestNetns('defaults');
    ns.addBridge('br0');
    ns.ip('addr', 'add', '10.1.0.1/24', 'dev', 'br0');
    ns.ip('-6', 'addr', 'add', 'fd77:0:0:1::1/64', 'dev', 'br0', 'nodad');
    nl = Netlink.open({ netns: ns.name });
    br0 = nl.linkByName('br0')!.index;
  });

  afterEach(() => {
    nl?.close();
    ns?.delete();
  });

  it('what `ip route add` would add: main table, proto boot, unicast; IPv4 via a device is scope link, via a gateway universe, IPv6 universe', () => {
    nl.addRoute({ dst: '10.74.0.0', prefix: 16, oif: br0 });
    nl.addRoute({ dst: '10.75.0.0', prefix: 16, gateway: '10.1.0.2' });
    nl.addRoute({ dst: 'fd77:0:0:9::', prefix: 64, oif: br0 });
    ns.ip('route', 'add', '10.76.0.0/16', 'dev', 'br0');
    ns.ip('route', 'add', '10.77.0.0/16', 'via', '10.1.0.2');
    ns.ip('-6', 'route', 'add', 'fd77:0:0:a::/64', 'dev', 'br0');
    const fields = (dst: string, prefix: number) => {
      const [r] = nl.routesTo(dst, prefix);
      return r && [r.table, r.protocol, r.scope, r.type];
    };
    expect(fields('10.74.0.0', 16)).toEqual(fields('10.76.0.0', 16));
    expect(fields('10.75.0.0', 16)).toEqual(fields('10.77.0.0', 16));
    expect(fields('fd77:0:0:9::', 64)).toEqual(fields('fd77:0:0:a::', 64));
    expect([fields('10.74.0.0', 16), fields('10.75.0.0', 16), fields('fd77:0:0:9::', 64)]).toEqual([
      [kernel.RT_TABLE_MAIN, kernel.RTPROT_BOOT, kernel.RT_SCOPE_LINK, kernel.RTN_UNICAST],
      [kernel.RT_TABLE_MAIN, kernel.RTPROT_BOOT, kernel.RT_SCOPE_UNIVERSE, kernel.RTN_UNICAST],
      [kernel.RT_TABLE_MAIN, kernel.RTPROT_BOOT, kernel.RT_SCOPE_UNIVERSE, kernel.RTN_UNICAST],
    ]);
  });
});
