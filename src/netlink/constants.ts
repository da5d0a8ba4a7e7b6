// Numbers rtnetlink uses for route protocol, scope and type, FDB state and
// flags, with the names `ip` and `bridge` print for them.
import { checkInteger } from '../common/args.js';
import { native } from '../native.js';

/** The route protocol id hostwire stamps on routes it installs (`ip route … proto 176`). */
export const HOSTWIRE_ROUTE_PROTOCOL = 176;

/** The main routing table (`ip route` without `table`): RT_TABLE_MAIN, 254. */
export const MAIN_TABLE = native.netlink.constants.kernel.RT_TABLE_MAIN;

const protocolNames: Record<number, string> = {
  0: 'unspec',
  1: 'redirect',
  2: 'kernel',
  3: 'boot',
  4: 'static',
  8: 'gated',
  9: 'ra',
  10: 'mrt',
  11: 'zebra',
  12: 'bird',
  13: 'dnrouted',
  14: 'xorp',
  15: 'ntk',
  16: 'dhcp',
  17: 'mrouted',
  18: 'keepalived',
  42: 'babel',
  99: 'openr',
  186: 'bgp',
  187: 'isis',
  188: 'ospf',
  189: 'rip',
  192: 'eigrp',
  [HOSTWIRE_ROUTE_PROTOCOL]: 'hostwire',
};

const scopeNames: Record<number, string> = { 0: 'universe', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

const typeNames: Record<number, string> = {
  0: 'unspec',
  1: 'unicast',
  2: 'local',
  3: 'broadcast',
  4: 'anycast',
  5: 'multicast',
  6: 'blackhole',
  7: 'unreachable',
  8: 'prohibit',
  9: 'throw',
  10: 'nat',
  11: 'xresolve',
};

export type RouteScopeName = 'universe' | 'site' | 'link' | 'host' | 'nowhere';
export type RouteTypeName =
  'unicast' | 'local' | 'broadcast' | 'anycast' | 'multicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw';

export const routeProtocolName = (id: number): string => protocolNames[id] ?? String(id);
export const routeScopeName = (id: number): string => scopeNames[id] ?? String(id);
export const routeTypeName = (id: number): string => typeNames[id] ?? String(id);

const reverse = (table: Record<number, string>): Map<string, number> =>
  new Map(Object.entries(table).map(([id, name]) => [name, Number(id)]));
const protocolIds = reverse(protocolNames);
const scopeIds = reverse(scopeNames);
const typeIds = reverse(typeNames);
export const routeProtocolId = (name: string): number | undefined => protocolIds.get(name);
export const routeScopeId = (name: string): number | undefined => scopeIds.get(name);
export const routeTypeId = (name: string): number | undefined => typeIds.get(name);

/** Neighbour (FDB entry) states, NUD_*: `permanent` = local/self, `noarp` = static, `reachable` = learned. */
export const NeighbourState = {
  INCOMPLETE: 0x01,
  REACHABLE: 0x02,
  STALE: 0x04,
  DELAY: 0x08,
  PROBE: 0x10,
  FAILED: 0x20,
  NOARP: 0x40,
  PERMANENT: 0x80,
} as const;

/** FDB entry flags, NTF_*. */
export const FdbFlag = {
  USE: 0x01,
  SELF: 0x02,
  MASTER: 0x04,
  PROXY: 0x08,
  EXT_LEARNED: 0x10,
  OFFLOADED: 0x20,
  STICKY: 0x40,
  ROUTER: 0x80,
} as const;

/** `bridge fdb`'s words for an entry's state: permanent, static or dynamic (learned). */
export function fdbStateName(state: number): 'permanent' | 'static' | 'dynamic' {
  checkInteger('state', state, 0, 0xffff);
  if (state & NeighbourState.PERMANENT) return 'permanent';
  if (state & NeighbourState.NOARP) return 'static';
  return 'dynamic';
}

/** Interface flags, IFF_*. */
export const LinkFlag = {
  UP: 0x1,
  BROADCAST: 0x2,
  LOOPBACK: 0x8,
  POINTOPOINT: 0x10,
  RUNNING: 0x40,
  NOARP: 0x80,
  PROMISC: 0x100,
  MULTICAST: 0x1000,
  LOWER_UP: 0x10000,
} as const;
