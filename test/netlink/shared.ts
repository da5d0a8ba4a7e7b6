// Helpers shared by the netlink suites: what `ip -j` / `bridge -j` print,
// normalised to the fields the hostwire API returns, so the two can be
// compared as sorted lists of plain values.
import { isDeepStrictEqual } from 'node:util';
import {
  fdbStateName,
  FdbFlag,
  LinkFlag,
  routeProtocolId,
  routeScopeName,
  routeTypeName,
  type FdbEntry,
  type Link,
  type NetlinkEvent,
  type NetlinkMonitor,
  type Route,
} from '../../src/netlink/index.js';
import type { TestNetns } from '../helpers/netns.js';

export type ErrnoError = NodeJS.ErrnoException & { netns?: string };

/** Runs `fn`, which must throw, and returns what it threw. */
export function thrown(fn: () => unknown): ErrnoError {
  try {
    fn();
  } catch (err) {
    return err as ErrnoError;
  }
  throw new Error('expected the call to throw, but it returned');
}

/**
 * Reads `ours` between two reads of `theirs` until both reads of `theirs`
 * agree, so a kernel change in flight (a link's operstate settling, IPv6
 * adding its link-local route) cannot make the comparison flaky.
 */
export function settled<T, U>(theirs: () => T, ours: () => U): { theirs: T; ours: U } {
  for (let attempt = 0; attempt < 50; attempt++) {
    const before = theirs();
    const mine = ours();
    const after = theirs();
    if (isDeepStrictEqual(before, after)) return { theirs: before, ours: mine };
  }
  throw new Error('the kernel state did not settle across 50 reads');
}

// ── links ─────────────────────────────────────────────────────────────────

interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  master?: string;
  operstate: string;
  address?: string;
  linkinfo?: { info_kind?: string };
}

/** ifname → ifindex, from `ip -j link show`. */
export function ifindexes(ns: TestNetns): Map<string, number> {
  return new Map(ns.ipJson<IpLink[]>('link', 'show').map((l) => [l.ifname, l.ifindex]));
}

// The IFF_* bits `ip` prints by name (it hides RUNNING).
const PRINTED_FLAGS = ['UP', 'BROADCAST', 'LOOPBACK', 'POINTOPOINT', 'NOARP', 'PROMISC', 'MULTICAST', 'LOWER_UP'] as const;

export interface ComparableLink {
  index: number;
  name: string;
  mtu: number;
  mac: string | null;
  master: number | null;
  kind: string | null;
  operstate: string;
  up: boolean;
  flags: string[];
}

export function linkFromIp(l: IpLink, index: Map<string, number>): ComparableLink {
  return {
    index: l.ifindex,
    name: l.ifname,
    mtu: l.mtu,
    mac: l.address ?? null,
    master: l.master === undefined ? null : index.get(l.master)!,
    kind: l.linkinfo?.info_kind ?? null,
    operstate: l.operstate.toLowerCase(),
    up: l.flags.includes('UP'),
    flags: l.flags.filter((f) => (PRINTED_FLAGS as readonly string[]).includes(f)).sort(),
  };
}

export function linkFromHostwire(l: Link): ComparableLink {
  return {
    index: l.index,
    name: l.name,
    mtu: l.mtu,
    mac: l.mac,
    master: l.master,
    kind: l.kind,
    operstate: l.operstate,
    up: l.up,
    flags: PRINTED_FLAGS.filter((f) => (l.flags & LinkFlag[f]) !== 0).sort(),
  };
}

/** `ip -d -j link show`, normalised (the -d output carries linkinfo.info_kind). */
export function ipLinks(ns: TestNetns): ComparableLink[] {
  const links = ns.ipJson<IpLink[]>('-d', 'link', 'show');
  const index = new Map(links.map((l) => [l.ifname, l.ifindex]));
  return links.map((l) => linkFromIp(l, index)).sort((a, b) => a.index - b.index);
}

// ── routes ────────────────────────────────────────────────────────────────

interface IpRoute {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  metric?: number;
  prefsrc?: string;
}

export interface ComparableRoute {
  dst: string;
  prefix: number;
  table: number;
  oif: number | null;
  gateway: string | null;
  protocol: number;
  scope: string;
  type: string;
  metric: number | null;
  prefsrc: string | null;
}

const TABLE_IDS: Record<string, number> = { local: 255, main: 254, default: 253 };

/** Protocol id from ip's label: a name from its rt_protos, or the bare number for ids it has no name for. */
export function protocolIdFromIp(label: string): number {
  if (/^\d+$/.test(label)) return Number(label);
  const id = routeProtocolId(label);
  if (id === undefined) throw new Error(`ip printed protocol "${label}", which hostwire has no id for`);
  return id;
}

export function routeFromIp(r: IpRoute, family: 4 | 6, index: Map<string, number>): ComparableRoute {
  // `ip` prints 0/0 as "default" and host routes without "/32" or "/128".
  let dst: string;
  let prefix: number;
  if (r.dst === 'default') {
    dst = family === 4 ? '0.0.0.0' : '::';
    prefix = 0;
  } else if (r.dst.includes('/')) {
    const [address, length] = r.dst.split('/') as [string, string];
    dst = address;
    prefix = Number(length);
  } else {
    dst = r.dst;
    prefix = family === 4 ? 32 : 128;
  }
  return {
    dst,
    prefix,
    table: r.table === undefined ? 254 : (TABLE_IDS[r.table] ?? Number(r.table)),
    oif: r.dev === undefined ? null : index.get(r.dev)!,
    gateway: r.gateway ?? null,
    // ip leaves out "proto boot", "scope universe" and "type unicast" unless asked for details.
    protocol: protocolIdFromIp(r.protocol ?? 'boot'),
    scope: r.scope ?? 'universe',
    type: r.type ?? 'unicast',
    metric: r.metric ?? null,
    prefsrc: r.prefsrc ?? null,
  };
}

export function routeFromHostwire(r: Route): ComparableRoute {
  return {
    dst: r.dst,
    prefix: r.prefix,
    table: r.table,
    oif: r.oif,
    gateway: r.gateway,
    protocol: r.protocol,
    scope: routeScopeName(r.scope),
    type: routeTypeName(r.type),
    metric: r.metric,
    prefsrc: r.prefsrc,
  };
}

const byJson = <T>(list: T[]): T[] => [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** `ip -n NS -j [-6] route show [args…]`, normalised and sorted. */
export function ipRoutes(ns: TestNetns, family: 4 | 6, ...args: string[]): ComparableRoute[] {
  const index = ifindexes(ns);
  const raw = ns.ipJson<IpRoute[]>(family === 4 ? '-4' : '-6', 'route', 'show', ...args);
  return byJson(raw.map((r) => routeFromIp(r, family, index)));
}

export const sortedRoutes = (routes: Route[]): ComparableRoute[] => byJson(routes.map(routeFromHostwire));

// ── bridge FDB ────────────────────────────────────────────────────────────

interface BridgeFdb {
  mac: string;
  ifname: string;
  vlan?: number;
  dst?: string;
  flags: string[];
  master?: string;
  state: string;
}

export interface ComparableFdb {
  mac: string | null;
  ifindex: number;
  master: number | null;
  vlan: number | null;
  state: string;
  self: boolean;
  dst: string | null;
}

export function fdbFromBridge(e: BridgeFdb, index: Map<string, number>): ComparableFdb {
  return {
    mac: e.mac,
    ifindex: index.get(e.ifname)!,
    master: e.master === undefined ? null : index.get(e.master)!,
    vlan: e.vlan ?? null,
    // `bridge` prints nothing for a learned (reachable) entry.
    state: e.state === '' ? 'dynamic' : e.state,
    self: e.flags.includes('self'),
    dst: e.dst ?? null,
  };
}

export function fdbFromHostwire(e: FdbEntry): ComparableFdb {
  return {
    mac: e.mac,
    ifindex: e.ifindex,
    master: e.master,
    vlan: e.vlan,
    state: fdbStateName(e.state),
    self: (e.flags & FdbFlag.SELF) !== 0,
    dst: e.dst,
  };
}

/** `bridge -n NS -j fdb show [args…]`, normalised and sorted. */
export function bridgeFdb(ns: TestNetns, ...args: string[]): ComparableFdb[] {
  const index = ifindexes(ns);
  const raw = JSON.parse(ns.bridge('-j', 'fdb', 'show', ...args) || '[]') as BridgeFdb[];
  return byJson(raw.map((e) => fdbFromBridge(e, index)));
}

export const sortedFdb = (entries: FdbEntry[]): ComparableFdb[] => byJson(entries.map(fdbFromHostwire));

// ── monitor ───────────────────────────────────────────────────────────────

/** Every event a monitor delivered, in order, from the moment this is called. */
export function record(monitor: NetlinkMonitor): NetlinkEvent[] {
  const seen: NetlinkEvent[] = [];
  monitor.on('events', (events) => seen.push(...events));
  return seen;
}

/** Resolves with the first event, delivered after this call, that `match` accepts. */
export function nextEvent<E extends NetlinkEvent>(monitor: NetlinkMonitor, match: (event: NetlinkEvent) => event is E): Promise<E> {
  return new Promise((resolve, reject) => {
    const onEvents = (events: NetlinkEvent[]): void => {
      const hit = events.find(match);
      if (hit === undefined) return;
      monitor.off('events', onEvents).off('error', onError);
      resolve(hit);
    };
    const onError = (err: Error): void => {
      monitor.off('events', onEvents).off('error', onError);
      reject(err);
    };
    monitor.on('events', onEvents).on('error', onError);
  });
}

export const isRoute =
  (action: 'new' | 'removed', dst: string, prefix: number) =>
  (e: NetlinkEvent): e is Extract<NetlinkEvent, { kind: 'route' }> =>
    e.kind === 'route' && e.action === action && e.route.dst === dst && e.route.prefix === prefix;

export const isLink =
  (action: 'new' | 'removed', name: string) =>
  (e: NetlinkEvent): e is Extract<NetlinkEvent, { kind: 'link' }> =>
    e.kind === 'link' && e.action === action && e.link.name === name;

export const isFdb =
  (action: 'new' | 'removed', mac: string) =>
  (e: NetlinkEvent): e is Extract<NetlinkEvent, { kind: 'fdb' }> =>
    e.kind === 'fdb' && e.action === action && e.fdb.mac === mac;
