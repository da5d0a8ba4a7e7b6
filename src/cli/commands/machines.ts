// `hostwire machines …`: the machine store from the shell.
import os from 'node:os';
import path from 'node:path';
import { Argument, type Command } from 'commander';
import { invalidValue } from '../../common/args.js';
import { LIVE_STATES, MachineStore, isLiveState, type LoadedMachine, type MachineConfig } from '../../machines/index.js';
import { duration, integer, ipAddress, nonEmpty, U32_MAX } from '../options.js';
import { printError, printJson, printLine, printTable } from '../output.js';

interface Common {
  stateDir?: string;
  json?: boolean;
  waitMs: number;
}

const DEFAULT_WAIT_MS = 5000;

/** $HOSTWIRE_STATE_DIR, else $XDG_STATE_HOME/hostwire, else ~/.local/state/hostwire. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HOSTWIRE_STATE_DIR) return env.HOSTWIRE_STATE_DIR;
  if (env.XDG_STATE_HOME) return path.join(env.XDG_STATE_HOME, 'hostwire');
  return path.join(os.homedir(), '.local', 'state', 'hostwire');
}

async function withStore<T>(options: Common, work: (store: MachineStore) => Promise<T>): Promise<T> {
  // Other `hostwire machines` calls hold the store for milliseconds: wait for them, bounded.
  const store = await MachineStore.open(path.join(options.stateDir ?? defaultStateDir(), 'machines'), { lockWaitMs: options.waitMs });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

function row(m: LoadedMachine): string[] {
  const c = m.config;
  return [
    c.name,
    c.state + (m.needsRecovery ? ' (interrupted)' : ''),
    String(c.cpus),
    `${c.memoryMb} MB`,
    `${c.diskGb} GB`,
    c.ipAddress ?? '-',
  ];
}

const MACHINE_COLUMNS = ['NAME', 'STATE', 'CPUS', 'MEMORY', 'DISK', 'IP'].map((header) => ({ header }));

function jsonOf(m: LoadedMachine): Record<string, unknown> {
  return { ...m.config, needsRecovery: m.needsRecovery, path: m.path };
}

async function ls(options: Common): Promise<void> {
  await withStore(options, async (store) => {
    const { machines, errors } = await store.loadAll();
    if (options.json) {
      printJson({
        machines: machines.map(jsonOf),
        errors: errors.map((e) => ({
          name: e.name,
          path: e.path,
          code: (e.error as NodeJS.ErrnoException).code,
          message: e.error.message,
        })),
      });
    } else {
      printTable(machines.map(row), MACHINE_COLUMNS);
      for (const e of errors) printError(`cannot load ${e.name}: ${e.error.message}`);
    }
    if (errors.length > 0) process.exitCode = 1;
  });
}

async function show(name: string, options: Common): Promise<void> {
  await withStore(options, async (store) => {
    const m = await store.load(name);
    if (options.json) {
      printJson(jsonOf(m));
      return;
    }
    const fields = Object.entries(m.config)
      .filter(([key]) => key !== 'extra')
      .map(([key, value]) => [key, typeof value === 'object' ? JSON.stringify(value) : String(value)]);
    if (m.needsRecovery) fields.push(['recovery', 'was running when the daemon stopped']);
    fields.push(['path', m.path]);
    printTable(fields, [{}, {}]);
  });
}

interface CreateOptions extends Common {
  cpus: number;
  memoryMb: number;
  diskGb: number;
  kernel?: string;
  cmdline?: string;
  distro?: string;
  distroVersion?: string;
  diskPath?: string;
  sshKeyPath?: string;
  ipAddress?: string;
}

async function create(name: string, options: CreateOptions): Promise<void> {
  await withStore(options, async (store) => {
    const { stateDir: _s, json: _j, waitMs: _w, ...fields } = options;
    const config: MachineConfig = await store.create({ name, ...fields });
    if (options.json) printJson(config);
    else printLine(`created ${config.name} (vm_id ${config.vmId})`);
  });
}

async function remove(name: string, options: Common): Promise<void> {
  await withStore(options, async (store) => {
    await store.remove(name);
    if (options.json) printJson({ removed: name });
    else printLine(`removed ${name}`);
  });
}

async function setState(name: string, state: string, options: Common): Promise<void> {
  // commander has checked the choices; this narrows the type (and guards a direct call).
  if (!isLiveState(state)) throw invalidValue('state', `one of ${LIVE_STATES.join(', ')}`, state);
  await withStore(options, async (store) => {
    const config = await store.updateState(name, state);
    if (options.json) printJson(config);
    else printLine(`${name}: ${config.state}`);
  });
}

async function recover(options: Common): Promise<void> {
  await withStore(options, async (store) => {
    const recovered = await store.recoverInterrupted();
    if (options.json) printJson({ recovered: recovered.map((m) => m.config.name) });
    else if (recovered.length === 0) printLine('no machine was interrupted');
    else for (const m of recovered) printLine(`${m.config.name}: was running when the daemon stopped; now marked stopped`);
  });
}

export function registerMachineCommands(program: Command): void {
  const machines = program.command('machines').description('durable machine configs (TOML) with crash recovery');
  const common = (cmd: Command): Command =>
    cmd
      .option(
        '--state-dir <dir>',
        'state directory (default $HOSTWIRE_STATE_DIR, $XDG_STATE_HOME/hostwire or ~/.local/state/hostwire)',
        nonEmpty,
      )
      .option('--json', 'print JSON')
      .option('--wait-ms <n>', 'wait this long for another hostwire using the store (0: fail at once)', duration(), DEFAULT_WAIT_MS);
  common(machines.command('ls').description('list machines')).action(ls);
  common(machines.command('show').description("show one machine's config").argument('<name>')).action(show);
  common(
    machines
      .command('create')
      .description('create a machine config')
      .argument('<name>')
      .requiredOption('--cpus <n>', 'virtual CPUs (1 or more)', integer(1, U32_MAX))
      .requiredOption('--memory-mb <n>', 'memory in MiB (1 or more)', integer(1, U32_MAX))
      .requiredOption('--disk-gb <n>', 'disk size in GiB', integer(0, U32_MAX))
      .option('--kernel <path>', 'kernel image', nonEmpty)
      .option('--cmdline <text>', 'kernel command line', nonEmpty)
      .option('--distro <name>', 'distribution', nonEmpty)
      .option('--distro-version <version>', 'distribution version', nonEmpty)
      .option('--disk-path <path>', 'disk image', nonEmpty)
      .option('--ssh-key-path <path>', 'SSH public key', nonEmpty)
      .option('--ip-address <ip>', 'an IPv4 or IPv6 address', ipAddress),
  ).action(create);
  common(machines.command('remove').alias('rm').description('remove a machine and its directory').argument('<name>')).action(remove);
  common(
    machines
      .command('set-state')
      .description(`set the state (${LIVE_STATES.join(' | ')})`)
      .argument('<name>')
      // A state the store does not know is a usage error (exit 2), named by commander.
      .addArgument(new Argument('<state>').choices(LIVE_STATES)),
  ).action(setState);
  common(machines.command('recover').description('mark machines that were running when the daemon died as stopped')).action(recover);
}
