// The `hostwire` command tree, built fresh on each call (tests parse it in-process).
import { Command, type OutputConfiguration } from 'commander';
import { createRequire } from 'node:module';
import { registerDgramCommands } from './commands/dgram.js';
import { registerHeartbeatCommands } from './commands/heartbeat.js';
import { registerMachineCommands } from './commands/machines.js';
import { registerNetworkCommands } from './commands/route.js';

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
  registerNetworkCommands(program);
  return program;
}
