// The `hostwire` command tree, built fresh on each call (tests parse it in-process).
//
// One grouping rule: every command is `hostwire <group> <verb>`. The group is
// what the commands act on, named as its library module names it (dgram,
// heartbeat, machines) or as iproute2 names the kernel object (route, bridge,
// fdb, link). The verbs are the same words everywhere: `ls` lists, `show
// <name>` shows one, `create`, `remove` (never delete or rm), and verbs of
// their own where nothing else fits (ensure, resolve, send, listen, beat,
// watch, recover, set-state, demo). The one command at the top is `hostwire
// demo`, the quick start (the same as `hostwire heartbeat demo`).
//
// Flags with a unit carry it in their name: every duration ends in `-ms`,
// every size in its unit (`--memory-mb`, `--disk-gb`); numbers are `<n>`.
//
// Spellings from before this rule stay accepted so scripts keep working;
// help shows the grouped ones: `beat` and `watch` (hidden; now `heartbeat
// beat|watch`), `fdb` with no verb (the default, `fdb ls`), `route show` (an
// alias of `route ls`), `machines rm` (an alias of `machines remove`) and
// `route ensure --delay` (hidden; now `--delay-ms`).
import { Command, type OutputConfiguration } from 'commander';
import { createRequire } from 'node:module';
import { registerBridgeCommands } from './commands/bridge.js';
import { registerDgramCommands } from './commands/dgram.js';
import { registerFdbCommands } from './commands/fdb.js';
import { registerHeartbeatCommands } from './commands/heartbeat.js';
import { registerLinkCommands } from './commands/link.js';
import { registerMachineCommands } from './commands/machines.js';
import { registerRouteCommands } from './commands/route.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * Errors come back as thrown CommanderErrors rather than process.exit().
 * `output` must be set here, before the subcommands copy it.
 */
export function createProgram(output: OutputConfiguration = {}): Command {
  const program = new Command()
    .name('hostwire')
    .description('host-daemon toolkit: datagram sockets, heartbeats, routes, bridges, machine configs')
    .version(version)
    .configureOutput(output)
    .showHelpAfterError()
    .exitOverride();

  registerHeartbeatCommands(program);
  registerDgramCommands(program);
  registerMachineCommands(program);
  registerRouteCommands(program);
  registerBridgeCommands(program);
  registerFdbCommands(program);
  registerLinkCommands(program);
  return program;
}
