// hostwire/routing: route a container subnet to the bridge a VM sits behind,
// keep it right, and remove it on shutdown.
import { RouteManager, type RemoveResult, type RouteManagerOptions, type RetryOptions, type RouteState } from './manager.js';
import type { BridgeRef } from './bridge.js';

export { RouteManager, DEFAULT_SUBNET, WIDEST_PREFIX } from './manager.js';
export type { RemoveOutcome, RemoveResult, RetryOptions, RouteManagerOptions, RouteState } from './manager.js';
export { RouteWatcher, type WatchOptions, type WatchTarget } from './watch.js';
export { NetlinkRouteExecutor, type RouteExecutor, type RouteOwner, type NetlinkExecutorOptions } from './executor.js';
export { NetlinkRouteReader, type RouteReader, type RouteChangeFeed, type RouteChangeListener } from './reader.js';
export { MemoryRouteTable, type MemoryLinkOptions, type MemoryRouteOptions } from './memory.js';
export { planRoutes, candidateSubnets, isHostwireRoute, type ConflictPolicy, type RouteMode, type RoutePlan } from './plan.js';
export { findBridgeByMac, type BridgeRef } from './bridge.js';
export * from './parse.js';
export * from './errors.js';

type OneShotOptions = RouteManagerOptions & Pick<RetryOptions, 'signal'>;

async function withManager<T>(options: RouteManagerOptions, work: (manager: RouteManager) => Promise<T>): Promise<T> {
  const manager = new RouteManager(options);
  try {
    return await work(manager);
  } finally {
    await manager.close();
  }
}

/** The bridge whose FDB holds `mac` ({name, ifindex}), or null. */
export function resolveBridgeByMac(mac: string, options: RouteManagerOptions = {}): Promise<BridgeRef | null> {
  return withManager(options, async (m) => m.resolveBridgeByMac(mac));
}

/** One-shot RouteManager.ensureRoute(): finds the bridge behind `bridgeMac` and routes the subnet to it. */
export function ensureRoute(bridgeMac: string, options: OneShotOptions = {}): Promise<RouteState> {
  return withManager(options, (m) => m.ensureRoute(bridgeMac, options.signal ? { signal: options.signal } : {}));
}

/** One-shot RouteManager.ensureRouteForBridge(). */
export function ensureRouteForBridge(name: string, options: OneShotOptions = {}): Promise<RouteState> {
  return withManager(options, (m) => m.ensureRouteForBridge(name, options.signal ? { signal: options.signal } : {}));
}

/** One-shot RouteManager.ensureRouteForDevice(). */
export function ensureRouteForDevice(name: string, options: OneShotOptions = {}): Promise<RouteState> {
  return withManager(options, (m) => m.ensureRouteForDevice(name, options.signal ? { signal: options.signal } : {}));
}

/** One-shot RouteManager.removeRoute(); never throws. */
export function removeRoute(options: RouteManagerOptions = {}): Promise<RemoveResult> {
  return withManager(options, (m) => m.removeRoute());
}
