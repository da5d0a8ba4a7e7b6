// MemoryRouteTable: links, a bridge FDB and a main routing table held in
// memory, as both the RouteReader and the RouteExecutor of a RouteManager. It
// answers the way rtnetlink does for what RouteManager reads and changes, and
// notifies subscribers after each change, so route policy and watchers run
// without root and without a kernel.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { badArg, checkInteger, invalidValue } from '../common/args.js';
import { systemError } from '../common/errors.js';
import { HOSTWIRE_ROUTE_PROTOCOL, LinkFlag, MAIN_TABLE, NeighbourState, routeProtocolId } from '../netlink/constants.js';
import type { NetlinkEvent } from '../netlink/monitor.js';
import type { RouteFilter } from '../netlink/netlink.js';
import type { FdbEntry, Link, Route } from '../netlink/types.js';
import type { RouteExecutor, RouteOwner } from './executor.js';
import { parseInterfaceName, parseMacAddress, parseSubnet, type InterfaceName, type Subnet } from './parse.js';
import type { RouteChangeFeed, RouteChangeListener, RouteReader } from './reader.js';

export interface MemoryLinkOptions {
  /** IFLA_INFO_KIND: 'bridge', 'veth', …; null (the default) for a device without one, like lo or a NIC. */
  kind?: string | null;
  /** The bridge this link is a port of, by name. */
  master?: string;
  /** Administratively up (default true). */
  up?: boolean;
  mac?: string;
}

export interface MemoryRouteOptions {
  /** The device the route goes out of, by name. */
  device: string;
  /** Protocol id or name; default 'boot', as `ip route add` gives. */
  protocol?: number | string;
  /** Default: none for IPv4, 1024 for IPv6, as the kernel reports them. */
  metric?: number;
}

const SCOPE_UNIVERSE = 0;
const SCOPE_LINK = 253;
const TYPE_UNICAST = 1;
const IPV6_DEFAULT_METRIC = 1024;

/** An in-memory network namespace for RouteManager: reader and executor over one table. */
export class MemoryRouteTable implements RouteReader, RouteExecutor {
  readonly #links = new Map<number, Link>();
  #fdb: FdbEntry[] = [];
  #routes: Route[] = [];
  #nextIndex = 1;
  /** Each subscriber with the events it has yet to hear of: only those made while it listened. */
  readonly #listeners = new Map<RouteChangeListener, NetlinkEvent[]>();
  #flushing = false;

  /** A table with only `lo` (index 1), as a new network namespace has. */
  constructor() {
    this.addLink('lo', { mac: '00:00:00:00:00:00' });
  }

  // ── the world around hostwire: what an admin, a VPN or a hypervisor changes ──

  /** Adds a link; throws EEXIST for a name in use and ENODEV for an unknown master. */
  addLink(name: string, options: MemoryLinkOptions = {}): Link {
    const ifname = parseInterfaceName(name);
    if (this.#find(ifname) !== null)
      throw systemError({ code: 'EEXIST', detail: `an interface named "${ifname}" exists`, syscall: 'RTM_NEWLINK' });
    const index = this.#nextIndex++;
    const up = options.up ?? true;
    const link: Link = {
      index,
      name: ifname,
      kind: options.kind ?? null,
      master: options.master === undefined ? null : this.#require(options.master, 'RTM_NEWLINK').index,
      mac: options.mac === undefined ? `02:00:00:00:${hex(index >> 8)}:${hex(index)}` : parseMacAddress(options.mac),
      flags: 0,
      mtu: ifname === 'lo' ? 65536 : 1500,
      up,
      operstate: '',
    };
    this.#links.set(index, withState(link, up));
    this.#notify({ kind: 'link', action: 'new', link: { ...this.#links.get(index)! } });
    return { ...this.#links.get(index)! };
  }

  /** Adds a bridge, up. */
  addBridge(name: string): Link {
    return this.addLink(name, { kind: 'bridge' });
  }

  /** Sets a link administratively up or down (`ip link set NAME up|down`). */
  setLinkUp(name: string, up: boolean): void {
    const link = this.#require(name, 'RTM_NEWLINK');
    this.#links.set(link.index, withState(link, up));
    this.#notify({ kind: 'link', action: 'new', link: { ...this.#links.get(link.index)! } });
  }

  /** Deletes a link and, as the kernel does, its routes and FDB entries; its ports are released. */
  removeLink(name: string): void {
    const link = this.#require(name, 'RTM_DELLINK');
    for (const route of this.#routes.filter((r) => r.oif === link.index)) this.#dropRoute(route);
    for (const entry of this.#fdb.filter((e) => e.ifindex === link.index || e.master === link.index)) this.#dropFdb(entry);
    for (const port of [...this.#links.values()].filter((l) => l.master === link.index)) {
      this.#links.set(port.index, { ...port, master: null });
      this.#notify({ kind: 'link', action: 'new', link: { ...port, master: null } });
    }
    this.#links.delete(link.index);
    this.#notify({ kind: 'link', action: 'removed', link: { ...link } });
  }

  /** A static FDB entry for `mac` on `port` (`bridge fdb add MAC dev PORT master static`). */
  addFdb(mac: string, port: string): FdbEntry {
    const link = this.#require(port, 'RTM_NEWNEIGH');
    const entry: FdbEntry = {
      mac: parseMacAddress(mac),
      ifindex: link.index,
      master: link.master,
      vlan: null,
      state: NeighbourState.NOARP,
      flags: 0,
      dst: null,
    };
    this.#fdb.push(entry);
    this.#notify({ kind: 'fdb', action: 'new', fdb: { ...entry } });
    return { ...entry };
  }

  /** Deletes the FDB entries for `mac` on `port`; returns how many there were. */
  removeFdb(mac: string, port: string): number {
    const canonical = parseMacAddress(mac);
    const link = this.#require(port, 'RTM_DELNEIGH');
    const gone = this.#fdb.filter((e) => e.mac === canonical && e.ifindex === link.index);
    for (const entry of gone) this.#dropFdb(entry);
    return gone.length;
  }

  /** Adds another owner's route (`ip route add SUBNET dev DEVICE proto …`); EEXIST when one with its key exists. */
  addRoute(subnet: string, options: MemoryRouteOptions): Route {
    const route = this.#route(
      parseSubnet(subnet),
      this.#require(options.device, 'RTM_NEWROUTE'),
      protocolOf(options.protocol ?? 'boot'),
      options.metric,
    );
    if (this.#routes.some((r) => sameKey(r, route))) {
      throw systemError({
        code: 'EEXIST',
        detail: `a route for ${subnet} with metric ${route.metric ?? 0} exists`,
        syscall: 'RTM_NEWROUTE',
      });
    }
    this.#routes.push(route);
    this.#notify({ kind: 'route', action: 'new', route: { ...route } });
    return { ...route };
  }

  /** Deletes every route for exactly `subnet` (of `protocol` only, when given); returns how many there were. */
  removeRoutes(subnet: string, options: { protocol?: number | string } = {}): number {
    const s = parseSubnet(subnet);
    const protocol = options.protocol === undefined ? undefined : protocolOf(options.protocol);
    const gone = this.#routes.filter((r) => isFor(r, s) && (protocol === undefined || r.protocol === protocol));
    for (const route of gone) this.#dropRoute(route);
    return gone.length;
  }

  // ── RouteReader ──────────────────────────────────────────────────────────

  linkByName(name: string): Link | null {
    if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) > 15) {
      throw badArg('name', 'an interface name of 1-15 bytes', name, 'string');
    }
    const link = this.#find(name);
    return link === null ? null : { ...link };
  }

  linkByIndex(index: number): Link | null {
    const link = this.#links.get(checkInteger('index', index, 1, 0x7fffffff));
    return link === undefined ? null : { ...link };
  }

  listLinks(): Link[] {
    return [...this.#links.values()].map((l) => ({ ...l }));
  }

  listFdb(): FdbEntry[] {
    return this.#fdb.map((e) => ({ ...e }));
  }

  listRoutes(filter: RouteFilter = {}): Route[] {
    const table = filter.table ?? MAIN_TABLE;
    const protocol = filter.protocol === undefined ? undefined : protocolOf(filter.protocol);
    const destinations = filter.destinations?.map((d) => `${d.dst}/${d.prefix}`);
    return this.#routes
      .filter(
        (r) =>
          (filter.family === undefined || r.family === filter.family) &&
          (table === 'all' || r.table === table) &&
          (protocol === undefined || r.protocol === protocol) &&
          (filter.oif === undefined || r.oif === filter.oif) &&
          (destinations === undefined || destinations.some((d) => isFor(r, d))),
      )
      .map((r) => ({ ...r }));
  }

  /** listRoutes() one turn of the event loop later, as a dump on the threadpool answers. */
  async listRoutesAsync(filter: RouteFilter = {}): Promise<Route[]> {
    await nextTurn();
    return this.listRoutes(filter);
  }

  /** Every change made from now on, as one batch per turn of the event loop, as a netlink monitor's wakeup does. */
  subscribe(listener: RouteChangeListener): RouteChangeFeed {
    const own = { events: (events: NetlinkEvent[]) => listener.events(events), error: (err: Error) => listener.error(err) };
    this.#listeners.set(own, []);
    return { close: () => this.#listeners.delete(own) };
  }

  // ── RouteExecutor ────────────────────────────────────────────────────────

  /** As `ip route replace SUBNET dev DEVICE proto hostwire`: ENODEV for no such device, ENETDOWN for one that is down. */
  async replaceRoute(subnet: Subnet, device: InterfaceName): Promise<void> {
    const link = this.#find(device);
    if (link === null) throw systemError({ code: 'ENODEV', detail: `no interface named "${device}"`, syscall: 'RTM_NEWROUTE' });
    if (!link.up) throw systemError({ code: 'ENETDOWN', detail: 'Network is down', syscall: 'RTM_NEWROUTE' });
    const route = this.#route(subnet, link, HOSTWIRE_ROUTE_PROTOCOL, undefined);
    const at = this.#routes.findIndex((r) => sameKey(r, route));
    if (at === -1) this.#routes.push(route);
    else this.#routes[at] = route;
    this.#notify({ kind: 'route', action: 'new', route: { ...route } });
  }

  /** As RTM_DELROUTE: the first route for exactly `subnet`, hostwire's only unless `owner` is 'any'. */
  async removeRoute(subnet: Subnet, owner: RouteOwner = 'hostwire'): Promise<'removed' | 'absent'> {
    const route = this.#routes.find((r) => isFor(r, subnet) && (owner === 'any' || r.protocol === HOSTWIRE_ROUTE_PROTOCOL));
    if (route === undefined) return 'absent';
    this.#dropRoute(route);
    return 'removed';
  }

  // ── internals ────────────────────────────────────────────────────────────

  #find(name: string): Link | null {
    for (const link of this.#links.values()) if (link.name === name) return link;
    return null;
  }

  #require(name: string, syscall: string): Link {
    const link = this.#find(name);
    if (link === null) throw systemError({ code: 'ENODEV', detail: `no interface named "${name}"`, syscall: syscall });
    return link;
  }

  #route(subnet: Subnet, link: Link, protocol: number, metric: number | undefined): Route {
    return {
      family: subnet.family,
      dst: subnet.address,
      prefix: subnet.prefix,
      table: MAIN_TABLE,
      protocol,
      scope: subnet.family === 4 ? SCOPE_LINK : SCOPE_UNIVERSE,
      type: TYPE_UNICAST,
      oif: link.index,
      gateway: null,
      prefsrc: null,
      metric: metric === undefined ? (subnet.family === 6 ? IPV6_DEFAULT_METRIC : null) : checkInteger('metric', metric, 0, 0x7fffffff),
      multipath: false,
    };
  }

  #dropRoute(route: Route): void {
    this.#routes = this.#routes.filter((r) => r !== route);
    this.#notify({ kind: 'route', action: 'removed', route: { ...route } });
  }

  #dropFdb(entry: FdbEntry): void {
    this.#fdb = this.#fdb.filter((e) => e !== entry);
    this.#notify({ kind: 'fdb', action: 'removed', fdb: { ...entry } });
  }

  #notify(event: NetlinkEvent): void {
    for (const queue of this.#listeners.values()) queue.push(event);
    if (this.#flushing || this.#listeners.size === 0) return;
    this.#flushing = true;
    setImmediate(() => {
      this.#flushing = false;
      for (const [listener, queue] of [...this.#listeners]) {
        if (queue.length === 0 || !this.#listeners.has(listener)) continue;
        this.#listeners.set(listener, []);
        listener.events(queue);
      }
    });
  }
}

function withState(link: Link, up: boolean): Link {
  const base = link.name === 'lo' ? LinkFlag.LOOPBACK : LinkFlag.BROADCAST | LinkFlag.MULTICAST;
  const flags = up ? base | LinkFlag.UP | LinkFlag.RUNNING | LinkFlag.LOWER_UP : base;
  return { ...link, up, flags, operstate: up ? (link.name === 'lo' ? 'unknown' : 'up') : 'down' };
}

/** The kernel's key for a main-table route: destination and metric (an IPv4 route without one has metric 0). */
function sameKey(a: Route, b: Route): boolean {
  return a.table === b.table && a.family === b.family && a.dst === b.dst && a.prefix === b.prefix && (a.metric ?? 0) === (b.metric ?? 0);
}

/** Whether `route` is for exactly `subnet` (a Subnet, or `address/prefix` text in any spelling). */
function isFor(route: Route, subnet: Subnet | string): boolean {
  if (typeof subnet !== 'string') return route.dst === subnet.address && route.prefix === subnet.prefix;
  try {
    return isFor(route, parseSubnet(subnet));
  } catch {
    return false; // host bits set: no route is for it
  }
}

function protocolOf(protocol: number | string): number {
  if (typeof protocol === 'number') return checkInteger('protocol', protocol, 0, 255);
  const id = routeProtocolId(protocol);
  if (id === undefined) throw invalidValue('protocol', 'a known protocol name or a number', protocol);
  return id;
}

const hex = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');
