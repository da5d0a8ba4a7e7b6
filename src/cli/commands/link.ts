// `hostwire link ls`: network interfaces, like `ip link`.
import type { Command } from 'commander';
import { LinkFlag, type Link } from '../../netlink/index.js';
import { nameOf, networkOptions, withNetlink, type NetworkOptions } from '../netlink.js';
import { printJson, printLine } from '../output.js';

// In the order `ip link` prints them; RUNNING is shown as the absence of NO-CARRIER.
const LINK_FLAG_WORDS: [number, string][] = [
  [LinkFlag.LOOPBACK, 'LOOPBACK'],
  [LinkFlag.BROADCAST, 'BROADCAST'],
  [LinkFlag.POINTOPOINT, 'POINTOPOINT'],
  [LinkFlag.MULTICAST, 'MULTICAST'],
  [LinkFlag.NOARP, 'NOARP'],
  [LinkFlag.PROMISC, 'PROMISC'],
  [LinkFlag.UP, 'UP'],
  [LinkFlag.LOWER_UP, 'LOWER_UP'],
];

function formatLink(l: Link, names: Map<number, string>): string {
  const flags = LINK_FLAG_WORDS.filter(([bit]) => l.flags & bit).map(([, word]) => word);
  if (l.flags & LinkFlag.UP && !(l.flags & LinkFlag.RUNNING)) flags.unshift('NO-CARRIER');
  const parts = [`${l.index}:`, l.name, `<${flags.join(',')}>`, 'mtu', String(l.mtu)];
  if (l.master !== null) parts.push('master', nameOf(names, l.master));
  if (l.kind !== null) parts.push('kind', l.kind);
  if (l.mac !== null) parts.push('mac', l.mac);
  parts.push('state', l.operstate);
  return parts.join(' ');
}

async function ls(options: NetworkOptions): Promise<void> {
  await withNetlink(options, (netlink) => {
    const links = netlink.listLinks();
    if (options.json) printJson(links);
    else {
      const names = new Map(links.map((l) => [l.index, l.name]));
      for (const l of links) printLine(formatLink(l, names));
    }
  });
}

export function registerLinkCommands(program: Command): void {
  const link = program.command('link').description('network interfaces, like `ip link`');
  networkOptions(link.command('ls').description('list network interfaces')).action(ls);
}
