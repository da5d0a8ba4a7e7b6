// Netlink: a typed rtnetlink request socket — routes, links, bridge FDB — in
// this network namespace or another. Calls are synchronous: each is one kernel
// round trip of a few microseconds (the kernel answers inside the send), far
// less than a trip through the threadpool would cost. The one exception is
// listRoutesAsync(), for routing tables large enough (a full BGP table) that
// a dump would hold the event loop for tens of milliseconds.
import { isIP } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { badArg, checkInteger, checkOptions, checkSignal, invalidArg, invalidValue, outOfRange } from '../common/args.js';
import { abortError, systemError } from '../common/errors.js';
import { Resource, signalBeforeOpen } from '../common/lifecycle.js';
import { native, type NativeNetlink, type NativeRouteFilter } from '../native.js';
import { MAIN_TABLE, routeProtocolId, routeScopeId, routeTypeId } from './constants.js';
import { decodeFdb, decodeLinks, decodeRoutes, decodeRoutesInSlices } from './records.js';
import type { FdbEntry, Link, NetnsOption, Route, RouteSpec } from './types.js';

const { routeOp, routeChange: CHANGE, kernel } = native.netlink.constants;
const { add: ADD, replace: REPLACE, remove: REMOVE } = routeOp;

const { RTPROT_UNSPEC, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RTN_UNSPEC, RTN_UNICAST } = kernel;
const REMOVAL_DEFAULTS = Object.freeze({ protocol: RTPROT_UNSPEC, scope: RT_SCOPE_NOWHERE, type: RTN_UNSPEC });
const LINK_DEFAULTS = Object.freeze({ protocol: RTPROT_BOOT, scope: RT_SCOPE_LINK, type: RTN_UNICAST });
const UNIVERSE_DEFAULTS = Object.freeze({ protocol: RTPROT_BOOT, scope: RT_SCOPE_UNIVERSE, type: RTN_UNICAST });

/**
 * What a route change sends for the fields a RouteSpec leaves out: iproute2's
 * choices, so a route added here is the route `ip route add` would add.
 *
 * - `table`: main (254), for every change.
 * - `protocol`: boot, as `ip route add` without `proto`.
 * - `scope`: link for an IPv4 route straight to a device (an `oif` and no
 *   gateway), universe otherwise: `ip route add`'s rule.
 * - `type`: unicast.
 * - `oif`, `gateway`, `metric`: not sent (the kernel's metric is then 0 for
 *   IPv4, 1024 for IPv6).
 *
 * A removal sends protocol unspec, scope nowhere and type unspec instead:
 * wildcards, so unset fields match any route, as with `ip route del`. The
 * addon sends every number as it gets it.
 */
function routeDefaults(op: number, family: 4 | 6, hasGateway: boolean, hasOif: boolean): typeof LINK_DEFAULTS {
  if (op === REMOVE) return REMOVAL_DEFAULTS;
  return family === 4 && !hasGateway && hasOif ? LINK_DEFAULTS : UNIVERSE_DEFAULTS;
}

// changeRoute()'s request, filled in place for each change (the call is
// synchronous): one array for the module, no allocation per change.
const change = new Uint32Array(CHANGE.length);

/** One destination network: `dst` is its address, `prefix` its length. */
export interface RouteDestination {
  dst: string;
  prefix: number;
}

export interface RouteFilter {
  family?: 4 | 6;
  /** Table id, or 'all'; default main (254), as `ip route show`. */
  table?: number | 'all';
  protocol?: number | string;
  oif?: number;
  /**
   * Only routes for exactly these destinations (at most 16). The kernel
   * cannot filter a dump by destination, so the addon drops the other routes
   * before they reach JS; table, protocol and oif the kernel filters itself.
   */
  destinations?: readonly RouteDestination[];
}

export interface AsyncRouteFilter extends RouteFilter {
  signal?: AbortSignal;
}

const MAX_DESTINATIONS = 16;

export type RemoveRouteOutcome = 'removed' | 'absent';

export interface NetlinkOptions extends NetnsOption {
  /** Closes the socket when aborted; already aborted, open() throws an AbortError. */
  signal?: AbortSignal;
}

interface PendingDump {
  cancel(): void;
  reject(err: Error): void;
}

/**
 * Requests are synchronous and a dump in progress is threadpool work, so the
 * socket itself holds nothing on the event loop: ref() and unref() are no-ops.
 * close() frees its buffers; a listRoutesAsync() in progress is stopped and
 * rejects with EBADF.
 */
export class Netlink extends Resource {
  readonly #socket: NativeNetlink;
  readonly #pending = new Set<PendingDump>();

  private constructor(socket: NativeNetlink) {
    super();
    this.#socket = socket;
  }

  /**
   * Opens an rtnetlink socket, inside `netns` when given (the socket is
   * created on a short-lived thread that joins the namespace; the calling
   * thread never moves). Throws a Node-style error (ENOENT with `path` for an
   * unknown namespace, EPERM without CAP_SYS_ADMIN).
   */
  static open(options: NetlinkOptions = {}): Netlink {
    const netns = checkNetns(checkOptions(options).netns);
    const signal = signalBeforeOpen(options.signal);
    const netlink = new Netlink(new native.netlink.Netlink(netns ?? null));
    netlink.closeOnAbort(signal);
    return netlink;
  }

  /** The namespace path this socket lives in, or null for the caller's own. */
  get netns(): string | null {
    return this.#socket.netns;
  }

  // ── routes ────────────────────────────────────────────────────────────────

  /** Routes of one table (main by default), like `ip route show`; cache entries are left out. */
  listRoutes(filter: RouteFilter = {}): Route[] {
    return decodeRoutes(this.#socket.routes(routeFilter(filter)));
  }

  /**
   * listRoutes() off the event loop, for large tables: the dump runs on the
   * threadpool, on a socket of its own in the same namespace (so it never
   * waits for, nor holds up, a synchronous call on this one), and the routes
   * are decoded in slices of under a millisecond. Costs ~100 µs more than
   * listRoutes() for a small table. Aborting rejects at once with ABORT_ERR
   * and stops the dump; close() rejects it with EBADF.
   */
  async listRoutesAsync(filter: AsyncRouteFilter = {}): Promise<Route[]> {
    const nativeFilter = routeFilter(filter);
    const signal = checkSignal(filter.signal);
    if (signal?.aborted) throw abortError(signal);
    const records = await new Promise<ArrayBuffer>((resolve, reject) => {
      let settled = false;
      const settle = () => {
        settled = true;
        this.#pending.delete(pending);
        signal?.removeEventListener('abort', onAbort);
      };
      const pending: PendingDump = {
        cancel: () => {},
        reject: (err) => {
          if (settled) return;
          settle();
          pending.cancel();
          reject(err);
        },
      };
      const onAbort = () => pending.reject(abortError(signal!));
      pending.cancel = this.#socket.routesAsync(nativeFilter, (err, buffer) => {
        if (settled) return; // aborted or closed meanwhile
        settle();
        if (err) reject(err);
        else resolve(buffer!);
      });
      this.#pending.add(pending);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return decodeRoutesInSlices(records, async () => {
      await nextTurn();
      if (signal?.aborted) throw abortError(signal);
      if (this.closed) throw closedDuringDump();
    });
  }

  /** Every route for exactly `dst/prefix` in `table` (several can differ in metric, device or type). */
  routesTo(dst: string, prefix: number, options: { table?: number } = {}): Route[] {
    checkDestination(dst, prefix);
    const table = checkTable(checkOptions(options).table ?? MAIN_TABLE);
    return decodeRoutes(this.#socket.routes({ table, destinations: [`${dst}/${prefix}`] }));
  }

  /** The route for exactly `dst/prefix` in `table`, or null; the lowest metric wins when there are several. */
  getRoute(dst: string, prefix: number, options: { table?: number } = {}): Route | null {
    const routes = this.routesTo(dst, prefix, options);
    if (routes.length <= 1) return routes[0] ?? null;
    return routes.reduce((best, r) => ((r.metric ?? 0) < (best.metric ?? 0) ? r : best));
  }

  /** The route the kernel would use to reach `address` (`ip route get`), or null when it is unreachable. */
  lookupRoute(address: string): Route | null {
    if (typeof address !== 'string' || isIP(address) === 0) throw badArg('address', 'an IPv4 or IPv6 address', address, 'string');
    return decodeRoutes(this.#socket.lookupRoute(address))[0] ?? null;
  }

  /** Adds a route; throws EEXIST when one with the same key exists. */
  addRoute(spec: RouteSpec): void {
    this.#change(ADD, spec);
  }

  /** Adds the route or replaces the one with the same key (`ip route replace`). */
  replaceRoute(spec: RouteSpec): void {
    this.#change(REPLACE, spec);
  }

  /**
   * Removes a route (RTM_DELROUTE). Fields left out match any route (as
   * `ip route del`); set `protocol` to remove only a route you own. An absent
   * route is the outcome 'absent', not an error.
   */
  removeRoute(spec: RouteSpec): RemoveRouteOutcome {
    return this.#change(REMOVE, spec) ? 'removed' : 'absent';
  }

  #change(op: number, spec: RouteSpec): boolean {
    if (spec === null || typeof spec !== 'object') throw invalidArg('route', 'an object', spec);
    const family = checkDestination(spec.dst, spec.prefix);
    if (spec.gateway !== undefined && isIP(spec.gateway) !== family) {
      throw badArg('gateway', `an IPv${family} address`, spec.gateway, 'string');
    }
    // Checked in this order, so the first bad field is the one reported.
    const oif = spec.oif === undefined ? undefined : checkInteger('oif', spec.oif, 1, 0x7fffffff);
    const table = spec.table === undefined ? MAIN_TABLE : checkTable(spec.table);
    const protocol = spec.protocol === undefined ? undefined : toId('protocol', spec.protocol, routeProtocolId, 255);
    const scope = spec.scope === undefined ? undefined : toId('scope', spec.scope, routeScopeId, 255);
    const metric = spec.metric === undefined ? undefined : checkInteger('metric', spec.metric, 0, 0x7fffffff);
    const type = spec.type === undefined ? undefined : toId('type', spec.type, routeTypeId, 255);
    const defaults = routeDefaults(op, family, spec.gateway !== undefined, oif !== undefined);
    change[CHANGE.op] = op;
    change[CHANGE.prefix] = spec.prefix;
    change[CHANGE.table] = table;
    change[CHANGE.protocol] = protocol ?? defaults.protocol;
    change[CHANGE.scope] = scope ?? defaults.scope;
    change[CHANGE.type] = type ?? defaults.type;
    change[CHANGE.oif] = oif ?? 0;
    change[CHANGE.metric] = metric ?? 0;
    change[CHANGE.bits] = (oif === undefined ? 0 : CHANGE.hasOif) | (metric === undefined ? 0 : CHANGE.hasMetric);
    return this.#socket.changeRoute(change, spec.dst, spec.gateway ?? null);
  }

  // ── links ─────────────────────────────────────────────────────────────────

  listLinks(): Link[] {
    return decodeLinks(this.#socket.links());
  }

  linkByName(name: string): Link | null {
    if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) > 15) {
      throw badArg('name', 'an interface name of 1-15 bytes', name, 'string');
    }
    return decodeLinks(this.#socket.link(name))[0] ?? null;
  }

  linkByIndex(index: number): Link | null {
    return decodeLinks(this.#socket.link(checkInteger('index', index, 1, 0x7fffffff)))[0] ?? null;
  }

  // ── bridge FDB ────────────────────────────────────────────────────────────

  /**
   * The bridge forwarding database (`bridge fdb show`), of every bridge or of
   * one (`master`: index or name). An unknown bridge name throws ENODEV.
   */
  listFdb(options: { master?: number | string } = {}): FdbEntry[] {
    checkOptions(options);
    let master = 0;
    if (typeof options.master === 'string') {
      const link = this.linkByName(options.master);
      if (link === null) throw noSuchLink(options.master, this.netns);
      master = link.index;
    } else if (options.master !== undefined) {
      master = checkInteger('master', options.master, 1, 0x7fffffff);
    }
    return decodeFdb(this.#socket.fdb(master));
  }

  protected release(): void {
    for (const pending of [...this.#pending]) pending.reject(closedDuringDump());
    this.#socket.close();
  }
}

/** PATH_MAX, counting the terminating NUL. */
const PATH_MAX = 4096;

export function checkNetns(netns: unknown): string | undefined {
  if (netns === undefined || netns === null) return undefined;
  if (typeof netns !== 'string' || netns.length === 0 || netns.includes('\0') || netns === '.' || netns === '..') {
    throw badArg('netns', 'a namespace name or path', netns, 'string');
  }
  // What open() would refuse anyway; refused here so no copy of it is ever cut short.
  const path = netns.includes('/') ? netns : `/run/netns/${netns}`;
  if (Buffer.byteLength(path) >= PATH_MAX) throw nameTooLong(path);
  return netns;
}

function nameTooLong(path: string): NodeJS.ErrnoException {
  return systemError({ code: 'ENAMETOOLONG', detail: 'File name too long', syscall: 'open', path });
}

/** The filter the addon applies: a field left out matches any route. */
function routeFilter(filter: RouteFilter): NativeRouteFilter {
  if (filter === null || typeof filter !== 'object') throw invalidArg('filter', 'an object', filter);
  const table = filter.table === 'all' ? undefined : filter.table === undefined ? MAIN_TABLE : checkTable(filter.table);
  const family = filter.family === undefined ? undefined : checkFamily(filter.family);
  const protocol = filter.protocol === undefined ? undefined : toId('protocol', filter.protocol, routeProtocolId, 255);
  const oif = filter.oif === undefined ? undefined : checkInteger('oif', filter.oif, 1, 0x7fffffff);
  let destinations: string[] | undefined;
  if (filter.destinations !== undefined) {
    if (!Array.isArray(filter.destinations)) throw invalidArg('destinations', 'an array', filter.destinations);
    if (filter.destinations.length > MAX_DESTINATIONS) {
      throw outOfRange('destinations', `at most ${MAX_DESTINATIONS} entries`, filter.destinations.length);
    }
    destinations = filter.destinations.map((d: RouteDestination) => {
      if (d === null || typeof d !== 'object') throw invalidArg('destinations', 'an array of { dst, prefix }', d);
      checkDestination(d.dst, d.prefix);
      return `${d.dst}/${d.prefix}`;
    });
  }
  return { family, table, protocol, oif, destinations };
}

function closedDuringDump(): NodeJS.ErrnoException {
  return systemError({ code: 'EBADF', detail: 'the socket was closed during the dump', syscall: 'RTM_GETROUTE' });
}

function checkFamily(family: unknown): 4 | 6 {
  if (family !== 4 && family !== 6) throw badArg('family', '4 or 6', family, 'number');
  return family;
}

function checkTable(table: unknown): number {
  return checkInteger('table', table, 1, 0xfffffffe);
}

function checkDestination(dst: unknown, prefix: unknown): 4 | 6 {
  const family = typeof dst === 'string' ? isIP(dst) : 0;
  if (family === 0) throw badArg('dst', 'an IPv4 or IPv6 address', dst, 'string');
  checkInteger('prefix', prefix, 0, family === 4 ? 32 : 128);
  return family as 4 | 6;
}

function toId(name: string, value: number | string, byName: (n: string) => number | undefined, max: number): number {
  if (typeof value === 'string') {
    const id = byName(value);
    if (id === undefined) throw invalidValue(name, `a known ${name} name or a number`, value);
    return id;
  }
  return checkInteger(name, value, 0, max);
}

function noSuchLink(name: string, netns: string | null): NodeJS.ErrnoException {
  const where = netns === null ? '' : ` in ${netns}`;
  return systemError({ code: 'ENODEV', detail: `no interface named "${name}"${where}`, ...(netns === null ? {} : { props: { netns } }) });
}
