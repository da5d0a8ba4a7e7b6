// `hostwire fdb ls`: the bridge forwarding database, like `bridge fdb show`.
import type { Command } from 'commander';
import { FdbFlag, fdbStateName, type FdbEntry } from '../../netlink/index.js';
import { parseInterfaceName } from '../../routing/index.js';
import { linkNames, nameOf, networkOptions, withNetlink, type NetworkOptions } from '../netlink.js';
import { printJson, printLine } from '../output.js';

interface ListOptions extends NetworkOptions {
  master?: string;
}

const FDB_FLAG_WORDS: [number, string][] = [
  [FdbFlag.SELF, 'self'],
  [FdbFlag.ROUTER, 'router'],
  [FdbFlag.EXT_LEARNED, 'extern_learn'],
  [FdbFlag.OFFLOADED, 'offload'],
  [FdbFlag.STICKY, 'sticky'],
];

/** One entry the way `bridge fdb show` prints it. */
function formatFdb(e: FdbEntry, names: Map<number, string>): string {
  const parts = [e.mac ?? '-', 'dev', nameOf(names, e.ifindex)];
  if (e.dst !== null) parts.push('dst', e.dst);
  if (e.vlan !== null) parts.push('vlan', String(e.vlan));
  for (const [bit, word] of FDB_FLAG_WORDS) if (e.flags & bit) parts.push(word);
  if (e.master !== null) parts.push('master', nameOf(names, e.master));
  parts.push(fdbStateName(e.state));
  return parts.join(' ');
}

async function ls(options: ListOptions): Promise<void> {
  const master = options.master === undefined ? undefined : parseInterfaceName(options.master);
  await withNetlink(options, (netlink) => {
    const entries = netlink.listFdb(master === undefined ? {} : { master });
    const names = linkNames(netlink);
    if (options.json) {
      printJson(
        entries.map((e) => ({
          ...e,
          dev: names.get(e.ifindex) ?? null,
          masterName: e.master === null ? null : (names.get(e.master) ?? null),
        })),
      );
    } else {
      for (const e of entries) printLine(formatFdb(e, names));
    }
  });
}

export function registerFdbCommands(program: Command): void {
  const fdb = program.command('fdb').description('the bridge forwarding database, like `bridge fdb`');
  // The default subcommand: `hostwire fdb [--master br0]`, the form before `ls` existed, still works.
  networkOptions(
    fdb
      .command('ls', { isDefault: true })
      .description('list forwarding database entries, like `bridge fdb show`')
      .option('--master <bridge>', 'only entries of this bridge'),
  ).action(ls);
}
