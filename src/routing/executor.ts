// Route mutations go through an executor, so that the code deciding what the
// routes should be never needs privileges itself. This module ships the
// direct one (rtnetlink in this process, which then needs CAP_NET_ADMIN);
// another can forward the same calls to a privileged helper over IPC.
import { badArg, checkOptions } from '../common/args.js';
import { systemError } from '../common/errors.js';
import { checkNetns, Netlink, type RemoveRouteOutcome } from '../netlink/netlink.js';
import { HOSTWIRE_ROUTE_PROTOCOL } from '../netlink/constants.js';
import { ExecutorUnavailableError } from './errors.js';
import type { InterfaceName, Subnet } from './parse.js';
import { checkSubnet } from './plan.js';

export type RouteOwner = 'hostwire' | 'any';

export interface RouteExecutor {
  /** Installs hostwire's route for `subnet` through `device`, replacing one with the same key. */
  replaceRoute(subnet: Subnet, device: InterfaceName): Promise<void>;
  /**
   * Removes the route for `subnet`: only hostwire's own (the default) or
   * whoever owns it ('any', for the `replace` conflict policy).
   */
  removeRoute(subnet: Subnet, owner?: RouteOwner): Promise<RemoveRouteOutcome>;
  close?(): void | Promise<void>;
}

export interface NetlinkExecutorOptions {
  /** Network namespace to act in (name under /run/netns or a path). */
  netns?: string;
}

/** Executes route changes with rtnetlink in this process. */
export class NetlinkRouteExecutor implements RouteExecutor {
  readonly #netns: string | undefined;
  #netlink: Netlink | null = null;

  constructor(options: NetlinkExecutorOptions = {}) {
    this.#netns = checkNetns(checkOptions(options).netns);
  }

  async replaceRoute(subnet: Subnet, device: InterfaceName): Promise<void> {
    checkSubnet(subnet);
    const netlink = this.#socket();
    const link = netlink.linkByName(device);
    if (link === null) throw systemError({ code: 'ENODEV', detail: `no interface named "${device}"` });
    netlink.replaceRoute({ dst: subnet.address, prefix: subnet.prefix, oif: link.index, protocol: HOSTWIRE_ROUTE_PROTOCOL });
  }

  async removeRoute(subnet: Subnet, owner: RouteOwner = 'hostwire'): Promise<RemoveRouteOutcome> {
    checkSubnet(subnet);
    // Anything but 'any' removing any owner's route would be a costly typo.
    if (owner !== 'hostwire' && owner !== 'any') throw badArg('owner', '"hostwire" or "any"', owner, 'string');
    return this.#socket().removeRoute({
      dst: subnet.address,
      prefix: subnet.prefix,
      ...(owner === 'hostwire' ? { protocol: HOSTWIRE_ROUTE_PROTOCOL } : {}),
    });
  }

  close(): void {
    this.#netlink?.close();
    this.#netlink = null;
  }

  #socket(): Netlink {
    if (this.#netlink !== null) return this.#netlink;
    try {
      this.#netlink = Netlink.open(this.#netns === undefined ? {} : { netns: this.#netns });
    } catch (err) {
      throw new ExecutorUnavailableError(`cannot open rtnetlink${this.#netns ? ` in ${this.#netns}` : ''}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return this.#netlink;
  }
}
