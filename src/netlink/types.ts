// The shapes the netlink API returns and takes.

/** A route as the kernel reports it. protocol/scope/type are rtnetlink numbers; see constants.ts for names. */
export interface Route {
  family: 4 | 6;
  /** Network address of the destination ("0.0.0.0" / "::" for a default route). */
  dst: string;
  prefix: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  /** Output interface index, or null (blackhole, unreachable, …). */
  oif: number | null;
  gateway: string | null;
  prefsrc: string | null;
  /** Route priority (`metric`), or null when the kernel reports none. */
  metric: number | null;
  /** True for a multipath route; oif and gateway are then its first next hop's. */
  multipath: boolean;
}

/** What to install or delete. The family follows `dst`. */
export interface RouteSpec {
  dst: string;
  prefix: number;
  /** Output interface index. */
  oif?: number;
  gateway?: string;
  /** Table id; default main (254). */
  table?: number;
  /** Protocol id or name ('hostwire', 'static', 'boot', …); default 'boot' as `ip` does, and on delete: any. */
  protocol?: number | string;
  /** Default: 'link' for an IPv4 route straight to a device, else 'universe'; on delete: any. */
  scope?: number | string;
  metric?: number;
  /** Default 'unicast'; on delete: any. */
  type?: number | string;
}

export interface Link {
  index: number;
  name: string;
  /** IFLA_INFO_KIND: 'bridge', 'veth', 'vxlan', …; null for devices without one (lo, physical NICs). */
  kind: string | null;
  /** Index of the bridge (or bond) this link is enslaved to. */
  master: number | null;
  mac: string | null;
  /** IFF_* flags; see LinkFlag. */
  flags: number;
  mtu: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** RFC 2863 operational state: 'up', 'down', 'lowerlayerdown', 'unknown', … */
  operstate: string;
}

/** One bridge forwarding database entry (`bridge fdb show`). */
export interface FdbEntry {
  mac: string | null;
  /** The port (or the bridge itself, for its own entries). */
  ifindex: number;
  /** The bridge the port belongs to; null for entries on the bridge device itself. */
  master: number | null;
  vlan: number | null;
  /** NUD_* bits; see NeighbourState and fdbStateName(). */
  state: number;
  /** NTF_* bits; see FdbFlag. */
  flags: number;
  /** Remote endpoint of a VXLAN entry. */
  dst: string | null;
}

export interface NetnsOption {
  /** A network namespace: a name under /run/netns (as `ip netns add` makes) or a path such as /proc/PID/ns/net. */
  netns?: string;
}
