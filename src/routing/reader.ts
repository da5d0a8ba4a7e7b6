// What RouteManager and RouteWatcher read: links, the bridge FDB, the routes
// that compete with hostwire's, and notifications when any of them change.
// Reading rtnetlink needs no privilege; the reader is still injectable, so the
// route policy can run against an in-memory table (MemoryRouteTable) in tests.
import { checkOptions } from '../common/args.js';
import { checkNetns, Netlink, type RouteFilter } from '../netlink/netlink.js';
import { NetlinkMonitor, type NetlinkEvent } from '../netlink/monitor.js';
import type { FdbEntry, Link, NetnsOption, Route } from '../netlink/types.js';

/** Who hears about changes: every event of one wakeup at once, in order, and a failure of the feed itself. */
export interface RouteChangeListener {
  events(events: NetlinkEvent[]): void;
  error(err: Error): void;
}

/** An open feed of change notifications; close() stops it. */
export interface RouteChangeFeed {
  close(): void;
  /** Whether the feed keeps the process alive (a kernel monitor does; an in-memory feed holds nothing). */
  ref?(): unknown;
  unref?(): unknown;
}

export interface RouteReader {
  linkByName(name: string): Link | null;
  linkByIndex(index: number): Link | null;
  /** Every bridge's forwarding database, in the order a bridge is looked for. */
  listFdb(): FdbEntry[];
  /** Routes as Netlink.listRoutes() filters them (RouteManager asks for one family and up to three destinations). */
  listRoutes(filter: RouteFilter): Route[];
  /** The same read without holding the event loop: what each route check runs. */
  listRoutesAsync(filter: RouteFilter): Promise<Route[]>;
  /** Route (both families), link and FDB changes, until the feed is closed. */
  subscribe(listener: RouteChangeListener, options?: { ref?: boolean }): RouteChangeFeed;
  close?(): void;
}

/** Reads the kernel's state over rtnetlink, in this network namespace or `netns`. Opens its socket on first use. */
export class NetlinkRouteReader implements RouteReader {
  readonly #netns: string | undefined;
  #netlink: Netlink | null = null;

  constructor(options: NetnsOption = {}) {
    this.#netns = checkNetns(checkOptions(options).netns);
  }

  /** The namespace read, as given; undefined for this process's own. */
  get netns(): string | undefined {
    return this.#netns;
  }

  /** Opens the rtnetlink socket now, if it is not open yet; throws what Netlink.open() throws. */
  open(): this {
    this.#socket();
    return this;
  }

  linkByName(name: string): Link | null {
    return this.#socket().linkByName(name);
  }

  linkByIndex(index: number): Link | null {
    return this.#socket().linkByIndex(index);
  }

  listFdb(): FdbEntry[] {
    return this.#socket().listFdb();
  }

  listRoutes(filter: RouteFilter): Route[] {
    return this.#socket().listRoutes(filter);
  }

  listRoutesAsync(filter: RouteFilter): Promise<Route[]> {
    return this.#socket().listRoutesAsync(filter);
  }

  /** A NetlinkMonitor of its own (the socket is not needed for it). */
  subscribe(listener: RouteChangeListener, options: { ref?: boolean } = {}): RouteChangeFeed {
    const monitor = NetlinkMonitor.open({
      ...(this.#netns === undefined ? {} : { netns: this.#netns }),
      groups: ['ipv4-route', 'ipv6-route', 'link', 'fdb'],
      ref: options.ref ?? true,
    });
    monitor.on('events', (events) => listener.events(events));
    monitor.on('error', (err) => listener.error(err));
    return monitor;
  }

  close(): void {
    this.#netlink?.close();
    this.#netlink = null;
  }

  #socket(): Netlink {
    this.#netlink ??= Netlink.open(this.#netns === undefined ? {} : { netns: this.#netns });
    return this.#netlink;
  }
}
