// `hostwire route ensure|remove|ls`: a subnet routed to the bridge a VM sits
// behind, in this network namespace or another (--netns).
import { Option, type Command } from 'commander';
import {
  HOSTWIRE_ROUTE_PROTOCOL,
  routeProtocolId,
  routeProtocolName,
  routeScopeName,
  routeTypeName,
  type Route,
} from '../../netlink/index.js';
import {
  DEFAULT_SUBNET,
  parseInterfaceName,
  parseMacAddress,
  RouteError,
  type ConflictPolicy,
  type RemoveResult,
  type RetryOptions,
  type RouteState,
  type WatchTarget,
} from '../../routing/index.js';
import {
  linkNames,
  nameOf,
  networkOptions,
  openNetlink,
  subnetOptions,
  VERBOSE_HELP,
  withManager,
  withNetlink,
  type SubnetOptions,
} from '../netlink.js';
import { duration, integer } from '../options.js';
import { errorText, printError, printJson, printLine } from '../output.js';
import { abortOnSignals, signalExitCode, untilStopped } from '../signals.js';

interface EnsureOptions extends SubnetOptions {
  bridge?: string;
  device?: string;
  mac?: string;
  policy: ConflictPolicy;
  attempts?: number;
  delayMs?: number;
  /** The old spelling of --delay-ms, still accepted. */
  delay?: number;
  watch?: boolean;
}

interface ListOptions extends SubnetOptions {
  all?: boolean;
}

const UNICAST = 1;
const RTPROT_BOOT = routeProtocolId('boot') ?? 3;
const SCOPE_UNIVERSE = 0;
const MAX_DELAY_MS = 3_600_000;

// ── route ensure ────────────────────────────────────────────────────────────

function describeState(state: RouteState): string {
  const head = `${state.subnet} → ${state.bridge.name} (ifindex ${state.bridge.ifindex})`;
  switch (state.mode) {
    case 'split': {
      const split = `split into ${state.routes.join(', ')} (another owner routes ${state.subnet})`;
      return `${head}: ${split}${state.changed ? '' : ', already in place'}`;
    }
    case 'replaced':
      return `${head}: ${state.changed ? "installed, replacing another owner's route" : 'already in place'}`;
    case 'whole':
      return `${head}: ${state.changed ? 'installed' : 'already in place'}`;
  }
}

async function ensure(options: EnsureOptions, command: Command): Promise<void> {
  if ([options.bridge, options.device, options.mac].filter((o) => o !== undefined).length !== 1) {
    command.error('error: route ensure needs exactly one of --bridge <name>, --device <name> or --mac <mac>');
  }
  // Inputs first, then the namespace: a typo is reported as such.
  const target: WatchTarget =
    options.mac !== undefined
      ? { mac: parseMacAddress(options.mac) }
      : options.device !== undefined
        ? { device: parseInterfaceName(options.device) }
        : { bridge: parseInterfaceName(options.bridge) };
  openNetlink(options).close();

  await withManager(options, async (manager) => {
    const stop = abortOnSignals();
    const delayMs = options.delayMs ?? options.delay;
    const retry: RetryOptions = {
      signal: stop.signal,
      ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
      ...(delayMs === undefined ? {} : { delayMs }),
    };
    let state: RouteState;
    try {
      state =
        'mac' in target
          ? await manager.ensureRoute(target.mac, retry)
          : 'device' in target
            ? await manager.ensureRouteForDevice(target.device, retry)
            : await manager.ensureRouteForBridge(target.bridge, retry);
    } catch (err) {
      const exitCode = signalExitCode(stop.signal.reason);
      if (err instanceof RouteError && err.kind === 'aborted' && exitCode !== undefined) {
        printError(errorText(err));
        process.exitCode = exitCode;
        return;
      }
      throw err;
    } finally {
      stop.dispose();
    }

    if (options.json) printJson(state);
    else printLine(describeState(state));
    if (!options.watch || stop.signal.aborted) return;

    // No await between stop.dispose() above and untilStopped() here, so a
    // signal cannot fall between the two sets of handlers.
    const stopped = untilStopped(undefined);
    const watcher = manager.watch(target);
    let last = state;
    watcher.on('checked', (s) => (last = s));
    watcher.on('restored', (s) => {
      last = s;
      if (options.json) printJson({ event: 'restored', ...s });
      else printLine(`restored: ${describeState(s)}`);
    });
    watcher.on('error', (err) => printError(errorText(err)));
    if (!options.json) printLine(`watching ${state.subnet} (Ctrl-C to stop; the route stays in place)`);
    const why = await stopped;
    watcher.close();
    if (options.json) printJson({ event: 'stopped', signal: why });
    else printLine(`stopped (${why}); ${last.routes.join(', ')} left in place`);
  });
}

// ── route remove ────────────────────────────────────────────────────────────

function removeJson(result: RemoveResult): Record<string, unknown> {
  const { error, ...rest } = result;
  if (error === undefined) return rest;
  const code = (error as NodeJS.ErrnoException).code;
  return { ...rest, error: { message: error.message, ...(code === undefined ? {} : { code }) } };
}

async function remove(options: SubnetOptions): Promise<void> {
  openNetlink(options).close();
  await withManager(options, async (manager) => {
    const result = await manager.removeRoute();
    const ok = result.outcome === 'removed' || result.outcome === 'absent';
    if (options.json) printJson(removeJson(result));
    else if (result.outcome === 'removed') printLine(`removed ${result.removed.join(', ')}`);
    else if (result.outcome === 'absent') printLine(`no hostwire route for ${result.subnet}`);
    else {
      if (result.removed.length > 0) printLine(`removed ${result.removed.join(', ')}`);
      const why = result.error ? errorText(result.error) : 'unknown error';
      printError(`could not remove the route for ${result.subnet} (${result.outcome}): ${why}`);
    }
    if (!ok) process.exitCode = 1;
  });
}

// ── route ls ────────────────────────────────────────────────────────────────

const routeKey = (r: Route): string =>
  [r.family, r.dst, r.prefix, r.table, r.protocol, r.scope, r.type, r.oif, r.gateway, r.metric].join('|');

/** One route the way `ip route` prints it (proto boot and scope global left out, as ip does). */
function formatRoute(r: Route, dev: string | null): string {
  const parts: string[] = [];
  if (r.type !== UNICAST) parts.push(routeTypeName(r.type));
  const full = r.family === 4 ? 32 : 128;
  parts.push(r.prefix === 0 ? 'default' : r.prefix === full ? r.dst : `${r.dst}/${r.prefix}`);
  if (r.gateway !== null) parts.push('via', r.gateway);
  if (dev !== null) parts.push('dev', dev);
  if (r.protocol !== RTPROT_BOOT) parts.push('proto', routeProtocolName(r.protocol));
  if (r.scope !== SCOPE_UNIVERSE) parts.push('scope', routeScopeName(r.scope));
  if (r.prefsrc !== null) parts.push('src', r.prefsrc);
  if (r.metric !== null) parts.push('metric', String(r.metric));
  if (r.multipath) parts.push('multipath');
  return parts.join(' ');
}

async function ls(options: ListOptions): Promise<void> {
  await withNetlink(options, (netlink) =>
    withManager(options, async (manager) => {
      const all = netlink.listRoutes();
      let routes = all;
      if (!options.all) {
        const subnetRoutes = new Set(manager.routes().map(routeKey));
        routes = all.filter((r) => r.protocol === HOSTWIRE_ROUTE_PROTOCOL || subnetRoutes.has(routeKey(r)));
      }
      const names = linkNames(netlink);
      const dev = (r: Route) => (r.oif === null ? null : nameOf(names, r.oif));
      if (options.json) printJson(routes.map((r) => ({ ...r, dev: dev(r) })));
      else for (const r of routes) printLine(formatRoute(r, dev(r)));
    }),
  );
}

// ── registration ────────────────────────────────────────────────────────────

export function registerRouteCommands(program: Command): void {
  const route = program.command('route').description(`route a subnet (default ${DEFAULT_SUBNET}) to the bridge a VM sits behind`);
  const routeCommand = (cmd: Command): Command => networkOptions(subnetOptions(cmd, DEFAULT_SUBNET));
  const delayMs = duration(0, MAX_DELAY_MS);

  routeCommand(
    route
      .command('ensure')
      .description('route the subnet to a bridge, found by name or by a MAC in its forwarding database, or to any device')
      .addOption(new Option('--bridge <name>', 'the bridge to route to').conflicts(['mac', 'device']))
      .addOption(new Option('--device <name>', 'any interface to route to, bridge or not').conflicts('mac'))
      .addOption(new Option('--mac <mac>', "a VM's MAC address; the bridge whose FDB holds it is used"))
      .addOption(
        new Option('--policy <policy>', 'when another owner routes the subnet: split it, fail, or replace its route')
          .choices(['split', 'fail', 'replace'])
          .default('split'),
      )
      .option('--attempts <n>', 'attempts in all, 1 to 1000 (default 5 with --mac, 2 with --bridge or --device)', integer(1, 1000))
      .option('--delay-ms <n>', `pause between attempts, at most ${MAX_DELAY_MS} (default 2000)`, delayMs)
      .addOption(new Option('--delay <n>', 'the old spelling of --delay-ms').argParser(delayMs).conflicts('delayMs').hideHelp())
      .option('--watch', 'keep the route in place until SIGINT/SIGTERM; the route is left in place on exit')
      .option('--verbose', VERBOSE_HELP),
  ).action(ensure);
  routeCommand(
    route.command('remove').description("remove hostwire's routes for the subnet (whole or halves)").option('--verbose', VERBOSE_HELP),
  ).action(remove);
  routeCommand(
    route
      .command('ls')
      .alias('show')
      .description("main-table routes: hostwire's and any for the subnet or its halves")
      .option('--all', 'every route of the main table'),
  ).action(ls);
}
