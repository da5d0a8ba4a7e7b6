// `hostwire bridge resolve <mac>`: the bridge a MAC address sits behind.
import type { Command } from 'commander';
import { findBridgeByMac, parseMacAddress } from '../../routing/index.js';
import { networkOptions, withNetlink, type NetworkOptions } from '../netlink.js';
import { printError, printJson, printLine } from '../output.js';

async function resolve(macText: string, options: NetworkOptions): Promise<void> {
  const mac = parseMacAddress(macText);
  await withNetlink(options, (netlink) => {
    const bridge = findBridgeByMac(netlink, mac);
    if (options.json) printJson(bridge);
    if (bridge === null) {
      printError(`no bridge has ${mac} in its forwarding database`);
      process.exitCode = 1;
    } else if (!options.json) {
      printLine(`${bridge.name} (ifindex ${bridge.ifindex})`);
    }
  });
}

export function registerBridgeCommands(program: Command): void {
  const bridge = program.command('bridge').description('find the bridge a MAC address sits behind');
  networkOptions(
    bridge.command('resolve').description('the bridge whose forwarding database holds a MAC address').argument('<mac>'),
  ).action(resolve);
}
