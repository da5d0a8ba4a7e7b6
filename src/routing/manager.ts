// RouteManager: keeps one subnet (default 172.16.0.0/12) routed to the bridge
// a VM sits behind (or to any device, when asked). It reads the kernel's state
// through a RouteReader (rtnetlink by default, which needs no privilege) and
// sends every change through a RouteExecutor.
import pRetry from 'p-retry';
import { checkLogger, silentLogger, type Logger } from '../logger.js';
import { KeyedMutex } from '../common/keyed-mutex.js';
import { checkInteger, checkNumber, checkOptions, checkSignal, invalidArg } from '../common/args.js';
import { checkNetns, type RouteFilter } from '../netlink/netlink.js';
import type { NetnsOption, Route } from '../netlink/types.js';
import { findBridgeByMac, type BridgeRef } from './bridge.js';
import { ExecutorUnavailableError, RouteError, SubnetTooWideError } from './errors.js';
import { NetlinkRouteExecutor, type RouteExecutor } from './executor.js';
import { candidateSubnets, checkPolicy, isHostwireRoute, planRoutes, type ConflictPolicy, type RouteMode } from './plan.js';
import { isSubnet, parseInterfaceName, parseMacAddress, parseSubnet, type InterfaceName, type Subnet } from './parse.js';
import { NetlinkRouteReader, type RouteReader } from './reader.js';
import { RouteWatcher, type WatchOptions, type WatchTarget } from './watch.js';

export const DEFAULT_SUBNET = '172.16.0.0/12';

/** The shortest prefix routed without `allowWideSubnet`, per family. */
export const WIDEST_PREFIX = { 4: 8, 6: 16 } as const;

export interface RetryOptions {
  /** Attempts in all (default 5 for ensureRoute, 2 for ensureRouteForBridge). */
  attempts?: number;
  /** Pause between attempts, ms (default 2000). Never taken after the last attempt. */
  delayMs?: number;
  /** Stretch each pause by a random factor between 1 and 2, so many daemons do not retry in step. */
  jitter?: boolean;
  signal?: AbortSignal;
}

export interface RouteManagerOptions extends NetnsOption, Omit<RetryOptions, 'signal' | 'attempts'> {
  subnet?: string | Subnet;
  policy?: ConflictPolicy;
  /** Where changes are carried out; default: rtnetlink in this process (needs CAP_NET_ADMIN). */
  executor?: RouteExecutor;
  /**
   * Where links, the bridge FDB and routes are read, and changes heard of;
   * default: rtnetlink in this process (no privilege needed). A
   * MemoryRouteTable serves as both reader and executor in tests.
   */
  reader?: RouteReader;
  /** Attempts for ensureRoute() (default 5). */
  attempts?: number;
  /** Attempts for ensureRouteForBridge() and ensureRouteForDevice() (default 2). */
  bridgeAttempts?: number;
  /**
   * Route a subnet wider than /8 (IPv4) or /16 (IPv6). Off by default: such a
   * route takes traffic from the host's own routes (for 0.0.0.0/0, from the
   * default route), so the constructor throws SubnetTooWideError for one.
   */
  allowWideSubnet?: boolean;
  logger?: Logger;
}

export interface RouteState {
  subnet: string;
  /** The device routed to: the bridge, or with ensureRouteForDevice() any device. */
  bridge: BridgeRef;
  mode: RouteMode;
  /** The subnets hostwire now routes through the bridge. */
  routes: string[];
  /** Whether anything had to be changed. */
  changed: boolean;
}

export type RemoveOutcome = 'removed' | 'absent' | 'executor-unavailable' | 'failed';

export interface RemoveResult {
  outcome: RemoveOutcome;
  subnet: string;
  /** The hostwire routes removed. */
  removed: string[];
  error?: Error;
}

// Shared by every manager in the process: two managers of one subnet in one
// namespace still never interleave their changes.
const subnetLocks = new KeyedMutex();

// What the lock is per: the namespace rtnetlink reads, or any other reader
// itself (managers of two in-memory tables never wait for each other).
const readerScopes = new WeakMap<RouteReader, string>();
let readerScopeCount = 0;
function lockScope(reader: RouteReader): string {
  if (reader instanceof NetlinkRouteReader) return `netns:${reader.netns ?? ''}`;
  let scope = readerScopes.get(reader);
  if (scope === undefined) readerScopes.set(reader, (scope = `reader:${readerScopeCount++}`));
  return scope;
}

export class RouteManager implements AsyncDisposable {
  readonly subnet: Subnet;
  readonly policy: ConflictPolicy;
  readonly netns: string | undefined;
  readonly #executor: RouteExecutor;
  readonly #ownsExecutor: boolean;
  readonly #reader: RouteReader;
  readonly #ownsReader: boolean;
  readonly #lockScope: string;
  readonly #logger: Logger;
  readonly #attempts: number;
  readonly #bridgeAttempts: number;
  readonly #delayMs: number;
  readonly #jitter: boolean;
  readonly #watchers = new Set<RouteWatcher>();

  constructor(options: RouteManagerOptions = {}) {
    checkOptions(options);
    this.subnet = isSubnet(options.subnet) ? options.subnet : parseSubnet(options.subnet ?? DEFAULT_SUBNET);
    if (options.allowWideSubnet !== undefined && typeof options.allowWideSubnet !== 'boolean') {
      throw invalidArg('allowWideSubnet', 'a boolean', options.allowWideSubnet);
    }
    if (this.subnet.prefix < WIDEST_PREFIX[this.subnet.family] && options.allowWideSubnet !== true) {
      throw new SubnetTooWideError(String(this.subnet), WIDEST_PREFIX[this.subnet.family]);
    }
    this.policy = checkPolicy(options.policy ?? 'split');
    this.netns = checkNetns(options.netns);
    this.#ownsExecutor = options.executor === undefined;
    this.#executor = options.executor ?? new NetlinkRouteExecutor(options.netns === undefined ? {} : { netns: options.netns });
    this.#ownsReader = options.reader === undefined;
    this.#reader = options.reader ?? new NetlinkRouteReader(options.netns === undefined ? {} : { netns: options.netns });
    this.#lockScope = lockScope(this.#reader);
    this.#logger = checkLogger(options.logger ?? silentLogger);
    this.#attempts = checkCount('attempts', options.attempts ?? 5);
    this.#bridgeAttempts = checkCount('bridgeAttempts', options.bridgeAttempts ?? 2);
    this.#delayMs = checkDelay(options.delayMs ?? 2000);
    this.#jitter = options.jitter ?? false;
  }

  /** The bridge whose FDB holds `mac`, or null. Throws InvalidMacAddressError for a malformed MAC. */
  resolveBridgeByMac(mac: string): BridgeRef | null {
    return findBridgeByMac(this.#read(), parseMacAddress(mac));
  }

  /**
   * Finds the bridge behind `bridgeMac` and routes the subnet to it, retrying
   * while the bridge is not ready, the executor is unavailable or the change
   * fails. Conflicts and aborts are not retried.
   */
  ensureRoute(bridgeMac: string, options: RetryOptions = {}): Promise<RouteState> {
    const mac = parseMacAddress(bridgeMac);
    return this.#withRetry(options, this.#attempts, () => {
      const bridge = findBridgeByMac(this.#read(), mac);
      if (bridge === null) {
        throw new RouteError('bridge-not-ready', `no bridge has ${mac} in its forwarding database yet`, String(this.subnet));
      }
      return this.#apply(bridge);
    });
  }

  /**
   * Routes the subnet to the named bridge (no FDB discovery; 2 attempts by
   * default). A device of another kind (lo, a veth, a NIC) is a RouteError of
   * kind 'not-a-bridge' (ERR_NOT_A_BRIDGE), not retried.
   */
  ensureRouteForBridge(name: string, options: RetryOptions = {}): Promise<RouteState> {
    const device = parseInterfaceName(name);
    return this.#withRetry(options, this.#bridgeAttempts, () => this.#apply(this.#linkNamed(device, true)));
  }

  /** Routes the subnet to the named device, whatever its kind (2 attempts by default). */
  ensureRouteForDevice(name: string, options: RetryOptions = {}): Promise<RouteState> {
    const device = parseInterfaceName(name);
    return this.#withRetry(options, this.#bridgeAttempts, () => this.#apply(this.#linkNamed(device, false)));
  }

  /** One attempt, no retry: what a watcher runs on every change it sees. */
  async reconcile(target: WatchTarget): Promise<RouteState> {
    checkTarget(target);
    if ('device' in target) return this.#apply(this.#linkNamed(parseInterfaceName(target.device), false));
    if ('bridge' in target) return this.#apply(this.#linkNamed(parseInterfaceName(target.bridge), true));
    const mac = parseMacAddress(target.mac);
    const bridge = findBridgeByMac(this.#read(), mac);
    if (bridge === null) throw new RouteError('bridge-not-ready', `no bridge has ${mac} in its forwarding database`, String(this.subnet));
    return this.#apply(bridge);
  }

  /**
   * Removes hostwire's routes for the subnet (whole or halves); closes this
   * manager's watchers first. Never throws: the result says what happened.
   * Other owners' routes are never touched.
   */
  async removeRoute(): Promise<RemoveResult> {
    for (const watcher of this.#watchers) watcher.close();
    const subnet = String(this.subnet);
    return this.#locked(async () => {
      const removed: string[] = [];
      try {
        const routesFor = await this.#snapshot();
        for (const candidate of candidateSubnets(this.subnet)) {
          if (!routesFor(candidate).some(isHostwireRoute)) continue;
          if ((await this.#executor.removeRoute(candidate, 'hostwire')) === 'removed') removed.push(String(candidate));
        }
      } catch (err) {
        const unavailable = err instanceof ExecutorUnavailableError || (err instanceof RouteError && err.kind === 'executor-unavailable');
        const outcome: RemoveOutcome = unavailable ? 'executor-unavailable' : 'failed';
        this.#logger.warn({ err, subnet, outcome }, 'route removal did not complete');
        return { outcome, subnet, removed, error: err as Error };
      }
      this.#logger.info({ subnet, removed }, removed.length > 0 ? 'routes removed' : 'no route to remove');
      return { outcome: removed.length > 0 ? 'removed' : 'absent', subnet, removed };
    });
  }

  /**
   * Keeps the route right until closed: a route removed or moved by someone
   * else is restored within a second (changes are debounced), and a slow
   * periodic check catches anything a notification missed. An already
   * aborted `signal` throws an AbortError; a later abort closes the watcher.
   */
  watch(target: WatchTarget, options: WatchOptions = {}): RouteWatcher {
    // Parsed here, so a bad target throws now and FDB events compare canonical MACs.
    checkTarget(target);
    target =
      'mac' in target
        ? { mac: parseMacAddress(target.mac) }
        : 'device' in target
          ? { device: parseInterfaceName(target.device) }
          : { bridge: parseInterfaceName(target.bridge) };
    const watcher = new RouteWatcher(this, target, this.#reader, options, this.#logger);
    this.#watchers.add(watcher);
    watcher.once('close', () => this.#watchers.delete(watcher));
    watcher.start();
    return watcher;
  }

  /** hostwire's and others' routes for the subnet and its halves, as the kernel has them now. */
  routes(): Route[] {
    return this.#read().listRoutes(this.#candidateFilter());
  }

  async close(): Promise<void> {
    for (const watcher of this.#watchers) watcher.close();
    if (this.#ownsReader) this.#reader.close?.();
    if (this.#ownsExecutor) await this.#executor.close?.();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ── internals ─────────────────────────────────────────────────────────────

  #read(): RouteReader {
    if (this.#reader instanceof NetlinkRouteReader) {
      try {
        this.#reader.open();
      } catch (err) {
        throw new RouteError('executor-unavailable', `cannot read routes: ${(err as Error).message}`, String(this.subnet), { cause: err });
      }
    }
    return this.#reader;
  }

  /**
   * What a check reads: the main-table routes for exactly the subnet and its
   * two halves — the only routes that compete with hostwire's. A route that
   * covers the subnet (the default route, a /8) loses to hostwire's by
   * longest-prefix match, and one inside it (a /24 someone else routes) keeps
   * its own range by the same rule without stopping hostwire routing the rest.
   *
   * The kernel answers "which routes have exactly this destination" only by
   * a dump: strict dump filters cover table, protocol, type and device, not
   * the destination, and RTM_GETROUTE without a dump is a longest-prefix
   * lookup that shows one route per address (it hides a second route for the
   * same prefix with another metric, and any route shadowed by a more
   * specific one). So a check is one dump of the main table of the subnet's
   * family, kernel-filtered by table, run on the threadpool
   * (listRoutesAsync), with the destinations matched in the addon: only the
   * few matching routes reach JS, and the event loop's share of a check does
   * not grow with the table. The dump itself does, on the threadpool
   * (about 15 ms per 100,000 routes).
   */
  async #snapshot(): Promise<(subnet: Subnet) => Route[]> {
    const found = await this.#read().listRoutesAsync(this.#candidateFilter());
    return (s) => found.filter((r) => r.prefix === s.prefix && r.dst === s.address);
  }

  #candidateFilter(): RouteFilter {
    const destinations = candidateSubnets(this.subnet).map((s) => ({ dst: s.address, prefix: s.prefix }));
    return { family: this.subnet.family, destinations };
  }

  /** The device `name`, which must be a bridge when `bridgeOnly`. */
  #linkNamed(name: InterfaceName, bridgeOnly: boolean): BridgeRef {
    const link = this.#read().linkByName(name);
    if (link === null) throw new RouteError('bridge-not-ready', `no interface named ${name}`, String(this.subnet));
    if (bridgeOnly && link.kind !== 'bridge') {
      const kind = link.kind === null ? 'none: a device such as lo or a physical NIC' : link.kind;
      throw new RouteError(
        'not-a-bridge',
        `${name} is not a bridge (its kind is ${kind}); to route to any interface, target it as a device`,
        String(this.subnet),
      );
    }
    return { name, ifindex: link.index };
  }

  #locked<T>(work: () => Promise<T>): Promise<T> {
    return subnetLocks.run(`${this.#lockScope}|${this.subnet}`, work);
  }

  #apply(bridge: BridgeRef): Promise<RouteState> {
    return this.#locked(async () => {
      const subnet = String(this.subnet);
      const plan = planRoutes(
        this.subnet,
        bridge.ifindex,
        this.policy,
        await this.#snapshot(),
        (oif) => this.#read().linkByIndex(oif)?.name ?? null,
      );
      try {
        for (const s of plan.removeForeign) await this.#executor.removeRoute(s, 'any');
        for (const s of plan.install) await this.#executor.replaceRoute(s, bridge.name);
        for (const s of plan.remove) await this.#executor.removeRoute(s, 'hostwire');
      } catch (err) {
        throw classify(err, subnet, bridge);
      }
      const changed = plan.install.length + plan.remove.length + plan.removeForeign.length > 0;
      const routes = plan.desired.map(String);
      if (changed) this.#logger.info({ subnet, bridge: bridge.name, mode: plan.mode, routes }, 'route in place');
      return { subnet, bridge, mode: plan.mode, routes, changed };
    });
  }

  async #withRetry(options: RetryOptions, defaultAttempts: number, attempt: () => Promise<RouteState>): Promise<RouteState> {
    const attempts = checkCount('attempts', checkOptions(options).attempts ?? defaultAttempts);
    const delayMs = checkDelay(options.delayMs ?? this.#delayMs);
    const signal = checkSignal(options.signal);
    const subnet = String(this.subnet);
    let made = 0;
    try {
      signal?.throwIfAborted();
      return await pRetry(
        async () => {
          made++;
          return attempt();
        },
        {
          retries: attempts - 1,
          factor: 1,
          minTimeout: delayMs,
          maxTimeout: (options.jitter ?? this.#jitter) ? delayMs * 2 : delayMs,
          randomize: options.jitter ?? this.#jitter,
          ...(signal ? { signal } : {}),
          shouldRetry: ({ error }) => error instanceof RouteError && error.retryable,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            this.#logger.debug({ subnet, attempt: attemptNumber, retriesLeft, delayMs, err: error }, 'route attempt failed');
          },
        },
      );
    } catch (err) {
      if (signal?.aborted) {
        const aborted = new RouteError('aborted', `gave up on ${subnet}: aborted after ${made} attempt(s)`, subnet, {
          cause: signal.reason,
        });
        aborted.attempts = made;
        throw aborted;
      }
      const final = err instanceof RouteError ? err : classify(err, subnet, null);
      final.attempts = made;
      if (final.retryable && made > 1) final.message += ` (gave up after ${made} attempts)`;
      throw final;
    }
  }
}

/** Executor failures as RouteErrors: a missing or down device means the bridge is not ready. */
function classify(err: unknown, subnet: string, bridge: BridgeRef | null): RouteError {
  if (err instanceof RouteError) return err;
  if (err instanceof ExecutorUnavailableError) return new RouteError('executor-unavailable', err.message, subnet, { cause: err });
  const code = (err as NodeJS.ErrnoException)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ENODEV' || code === 'ENETDOWN') {
    return new RouteError('bridge-not-ready', `${bridge?.name ?? 'the bridge'} is not ready: ${message}`, subnet, { cause: err });
  }
  if (code === 'EPERM' || code === 'EACCES') {
    return new RouteError(
      'not-permitted',
      `routing ${subnet} is not permitted (needs CAP_NET_ADMIN, or a privileged executor): ${message}`,
      subnet,
      {
        cause: err,
      },
    );
  }
  return new RouteError('route-failed', `routing ${subnet}${bridge ? ` to ${bridge.name}` : ''} failed: ${message}`, subnet, {
    cause: err,
  });
}

function checkCount(name: string, value: unknown): number {
  return checkInteger(name, value, 1, 1000);
}

function checkDelay(value: unknown): number {
  return checkNumber('delayMs', value, 0, 3_600_000);
}

function checkTarget(target: unknown): void {
  if (target === null || typeof target !== 'object') throw invalidArg('target', 'an object: { mac }, { bridge } or { device }', target);
}
