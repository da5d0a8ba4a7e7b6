// NetlinkMonitor: route, link and bridge FDB change notifications as events
// on Node's loop. A notification the kernel had to drop (the queue
// overflowed) is reported as 'overrun': whoever keeps state must re-read it.
import { native, type NativeNetlinkMonitor } from '../native.js';
import { checkOptions, invalidArg } from '../common/args.js';
import { describeValue, makeError } from '../common/errors.js';
import { Resource, signalBeforeOpen } from '../common/lifecycle.js';
import { checkNetns } from './netlink.js';
import { decodeRecords } from './records.js';
import type { FdbEntry, Link, NetnsOption, Route } from './types.js';

export type MonitorGroup = 'link' | 'ipv4-route' | 'ipv6-route' | 'fdb';

/** What a notification says happened: 'new' is added or changed (RTM_NEW*), 'removed' is RTM_DEL*. */
export type NetlinkAction = 'new' | 'removed';

/** One change; 'overrun' means the kernel dropped notifications and state must be re-read. */
export type NetlinkEvent =
  | { kind: 'route'; action: NetlinkAction; route: Route }
  | { kind: 'link'; action: NetlinkAction; link: Link }
  | { kind: 'fdb'; action: NetlinkAction; fdb: FdbEntry }
  | { kind: 'overrun' };

export interface MonitorOptions extends NetnsOption {
  /** Default: all four. */
  groups?: MonitorGroup[];
  /** Whether the monitor keeps the process alive (default true). */
  ref?: boolean;
  /** Closes the monitor when aborted; already aborted, open() throws an AbortError. */
  signal?: AbortSignal;
}

interface MonitorEvents {
  /** Every event of one wakeup, in kernel order. */
  events: [NetlinkEvent[]];
  route: [Extract<NetlinkEvent, { kind: 'route' }>];
  link: [Extract<NetlinkEvent, { kind: 'link' }>];
  fdb: [Extract<NetlinkEvent, { kind: 'fdb' }>];
  overrun: [];
  error: [Error];
  close: [];
}

const GROUP_IDS: Record<MonitorGroup, number> = {
  link: native.netlink.groups.link,
  'ipv4-route': native.netlink.groups.ipv4Route,
  'ipv6-route': native.netlink.groups.ipv6Route,
  fdb: native.netlink.groups.neigh,
};

export class NetlinkMonitor extends Resource<MonitorEvents> {
  readonly #handle: NativeNetlinkMonitor;

  private constructor(handle: NativeNetlinkMonitor) {
    super();
    this.#handle = handle;
  }

  static open(options: MonitorOptions = {}): NetlinkMonitor {
    const netns = checkNetns(checkOptions(options).netns);
    const groups = options.groups ?? (Object.keys(GROUP_IDS) as MonitorGroup[]);
    if (!Array.isArray(groups)) throw invalidArg('groups', 'an array of monitor groups', groups);
    for (const group of groups) {
      // Own keys only: "toString" is in every object, and no group.
      if (typeof group !== 'string' || !Object.hasOwn(GROUP_IDS, group)) {
        throw makeError(
          TypeError,
          'ERR_INVALID_ARG_VALUE',
          `unknown monitor group ${describeValue(group)}; use ${Object.keys(GROUP_IDS).join(', ')}`,
        );
      }
    }
    const signal = signalBeforeOpen(options.signal);
    let monitor: NetlinkMonitor | undefined;
    const handle = new native.netlink.NetlinkMonitor(
      netns ?? null,
      groups.map((g) => GROUP_IDS[g]),
      (records) => monitor!.#dispatch(decodeRecords(records) as NetlinkEvent[]),
      (err) => monitor!.emit('error', err),
    );
    monitor = new NetlinkMonitor(handle);
    if (options.ref === false) handle.unref();
    handle.start();
    monitor.closeOnAbort(signal);
    return monitor;
  }

  get netns(): string | null {
    return this.#handle.netns;
  }

  #dispatch(events: NetlinkEvent[]): void {
    if (this.closed) return;
    this.emit('events', events);
    for (const event of events) {
      switch (event.kind) {
        case 'route':
          this.emit('route', event);
          break;
        case 'link':
          this.emit('link', event);
          break;
        case 'fdb':
          this.emit('fdb', event);
          break;
        case 'overrun':
          this.emit('overrun');
          break;
      }
    }
  }

  override ref(): this {
    this.#handle.ref();
    return this;
  }

  override unref(): this {
    this.#handle.unref();
    return this;
  }

  protected release(): void {
    this.#handle.close();
  }
}
