#!/usr/bin/env node
// The `hostwire` command.
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { registerDgramCommands } from './dgram.js';
import { registerHeartbeatCommands } from './heartbeat.js';
import { registerMachineCommands } from './machines.js';
import { registerNetworkCommands } from './network.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const program = new Command()
  .name('hostwire')
  .description('host-daemon toolkit: datagram sockets, heartbeats, routes, bridges, machine configs')
  .version(version)
  .showHelpAfterError()
  .exitOverride();

registerHeartbeatCommands(program);
registerDgramCommands(program);
registerMachineCommands(program);
registerNetworkCommands(program);

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`hostwire: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
    process.exitCode = 1;
  }
}
