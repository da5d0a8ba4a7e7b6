// What the network command groups (route, bridge, fdb, link) share: --netns
// and --json, rtnetlink opened in the namespace asked for, a RouteManager
// closed after use, and ifindex → name lookups.
import type { Command } from 'commander';
import { Netlink } from '../netlink/index.js';
import { RouteManager, SubnetTooWideError, type ConflictPolicy } from '../routing/index.js';
import { stderrLogger } from './logger.js';
import { nonEmpty } from './options.js';

export interface NetworkOptions {
  netns?: string;
  json?: boolean;
}

export interface SubnetOptions extends NetworkOptions {
  subnet: string;
  allowWideSubnet?: boolean;
  verbose?: boolean;
}

/** --netns and --json, taken by every network command. */
export function networkOptions(cmd: Command): Command {
  return cmd
    .option('--netns <name>', 'network namespace: a name under /run/netns or a path such as /proc/PID/ns/net', nonEmpty)
    .option('--json', 'print JSON');
}

/** --subnet and --allow-wide-subnet, taken by every route command. */
export function subnetOptions(cmd: Command, defaultSubnet: string): Command {
  return cmd
    .option('--subnet <cidr>', 'the subnet hostwire routes', defaultSubnet)
    .option('--allow-wide-subnet', "allow a subnet wider than /8 (IPv4) or /16 (IPv6), which takes traffic from the host's own routes");
}

export const VERBOSE_HELP = 'log each attempt, retry and change to stderr';

/**
 * Opens rtnetlink in the namespace asked for. Done first by every command, so
 * an unknown namespace is reported as the kernel's ENOENT (with the path), not
 * as a retried "executor unavailable" from deep inside RouteManager.
 */
export function openNetlink(options: NetworkOptions): Netlink {
  return Netlink.open(options.netns === undefined ? {} : { netns: options.netns });
}

/** Runs `work` with rtnetlink open in the namespace asked for, and closes it after. */
export async function withNetlink<T>(options: NetworkOptions, work: (netlink: Netlink) => Promise<T> | T): Promise<T> {
  const netlink = openNetlink(options);
  try {
    return await work(netlink);
  } finally {
    netlink.close();
  }
}

/** Runs `work` with a RouteManager for the subnet asked for, and closes it after. */
export async function withManager<T>(
  options: SubnetOptions & { policy?: ConflictPolicy },
  work: (manager: RouteManager) => Promise<T>,
): Promise<T> {
  let manager: RouteManager;
  try {
    manager = new RouteManager({
      subnet: options.subnet,
      ...(options.allowWideSubnet ? { allowWideSubnet: true } : {}),
      ...(options.verbose ? { logger: stderrLogger() } : {}),
      ...(options.policy === undefined ? {} : { policy: options.policy }),
      ...(options.netns === undefined ? {} : { netns: options.netns }),
    });
  } catch (err) {
    if (!(err instanceof SubnetTooWideError)) throw err;
    throw Object.assign(
      new Error(`refusing to route ${err.subnet}: it is wider than /${err.limit}; pass --allow-wide-subnet to route it anyway`, {
        cause: err,
      }),
      { code: err.code },
    );
  }
  try {
    return await work(manager);
  } finally {
    await manager.close();
  }
}

/** The ifindex → name map of one listLinks() call. */
export function linkNames(netlink: Netlink): Map<number, string> {
  return new Map(netlink.listLinks().map((l) => [l.index, l.name]));
}

/** A link's name, or `#ifindex` for one that has gone. */
export const nameOf = (names: Map<number, string>, index: number): string => names.get(index) ?? `#${index}`;
