// Finding the bridge a VM sits behind from the VM's MAC address: the first
// bridge whose forwarding database (FDB) holds that MAC.
import { invalidArg } from '../common/args.js';
import type { RouteReader } from './reader.js';
import type { InterfaceName, MacAddress } from './parse.js';

export interface BridgeRef {
  name: InterfaceName;
  ifindex: number;
}

/**
 * Looks `mac` up in the kernel's bridge FDB, in the kernel's order. An entry
 * on a port names its bridge as master; an entry on the bridge device itself
 * is the bridge. Entries of devices that are not bridges (a VXLAN's own FDB)
 * are skipped. Returns null when no bridge knows the MAC (yet).
 */
export function findBridgeByMac(netlink: Pick<RouteReader, 'listFdb' | 'linkByIndex'>, mac: MacAddress): BridgeRef | null {
  if (typeof netlink?.listFdb !== 'function' || typeof netlink.linkByIndex !== 'function') {
    throw invalidArg('netlink', 'a Netlink or a RouteReader', netlink);
  }
  const seen = new Set<number>();
  for (const entry of netlink.listFdb()) {
    if (entry.mac !== mac) continue;
    const candidate = entry.master ?? entry.ifindex;
    if (seen.has(candidate)) continue;
    seen.add(candidate);
    const link = netlink.linkByIndex(candidate);
    if (link !== null && link.kind === 'bridge') return { name: link.name as InterfaceName, ifindex: link.index };
  }
  return null;
}
