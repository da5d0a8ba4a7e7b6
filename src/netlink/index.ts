// hostwire/netlink: typed rtnetlink — routes, links, bridge FDB, change
// notifications — in this network namespace or another.
export {
  Netlink,
  type AsyncRouteFilter,
  type NetlinkOptions,
  type RemoveRouteOutcome,
  type RouteDestination,
  type RouteFilter,
} from './netlink.js';
export { NetlinkMonitor, type MonitorGroup, type MonitorOptions, type NetlinkAction, type NetlinkEvent } from './monitor.js';
export * from './constants.js';
export type { FdbEntry, Link, NetnsOption, Route, RouteSpec } from './types.js';
