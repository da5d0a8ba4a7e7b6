// `hostwire route …`, `hostwire bridge resolve`, `hostwire fdb` and
// `hostwire link ls`: routes, bridges and links from the shell, in this
// network namespace or another (--netns).
import { Option, type Command } from 'commander';
import {
  FdbFlag,
  fdbStateName,
  HOSTWIRE_ROUTE_PROTOCOL,
  LinkFlag,
  Netlink,
  routeProtocolName,
  routeProtocolId,
  routeScopeName,
  routeTypeName,
  type FdbEntry,
  type Link,
  type Route,
} from '../netlink/index.js';
import {
  DEFAULT_SUBNET,
  findBridgeByMac,
  parseInterfaceName,
  parseMacAddress,
  RouteError,
  RouteManager,
  SubnetTooWideError,
  type ConflictPolicy,
  type RemoveResult,
  type RetryOptions,
  type RouteState,
  type WatchTarget,
} from '../routing/index.js';
import type { Logger } from '../logger.js';
import { duration, integer, nonEmpty } from './options.js';
import { printJson, printLine, untilStopped } from './output.js';

interface Common {
  netns?: string;
  json?: boolean;
}

interface SubnetOptions extends Common {
  subnet: string;
  allowWideSubnet?: boolean;
  verbose?: boolean;
}

interface EnsureOptions extends SubnetOptions {
  bridge?: string;
  device?: string;
  mac?: string;
  policy: ConflictPolicy;
  attempts?: number;
  delay?: number;
  watch?: boolean;
}

interface ShowOptions extends SubnetOptions {
  all?: boolean;
}

interface FdbOptions extends Common {
  master?: string;
}

const UNICAST = 1;
const RTPROT_BOOT = routeProtocolId('boot') ?? 3;
const SCOPE_UNIVERSE = 0;
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Opens rtnetlink in the namespace asked for. Done first by every command, so
 * an unknown namespace is reported as the kernel's ENOENT (with the path), not
 * as a retried "executor unavailable" from deep inside RouteManager.
 */
function openNetlink(options: Common): Netlink {
  return Netlink.open(options.netns === undefined ? {} : { netns: options.netns });
}

async function withManager<T>(options: SubnetOptions & { policy?: ConflictPolicy }, work: (manager: RouteManager) => Promise<T>): Promise<T> {
  let manager: RouteManager;
  try {
    manager = new RouteManager({
      subnet: options.subnet,
      ...(options.allowWideSubnet ? { allowWideSubnet: true } : {}),
      ...(options.verbose ? { logger: stderrLogger() } : {}),
      ...(options.policy === undefined ? {} : { policy: options.policy }),
      ...(options.netns === undefined ? {} : { netns: options.netns }),
    });
  } catch (err) {
    if (!(err instanceof SubnetTooWideError)) throw err;
    throw Object.assign(
      new Error(`refusing to route ${err.subnet}: it is wider than /${err.limit}; pass --allow-wide-subnet to route it anyway`, { cause: err }),
      { code: err.code },
    );
  }
  try {
    return await work(manager);
  } finally {
    await manager.close();
  }
}

const fieldText = (value: unknown): string =>
  value instanceof Error ? JSON.stringify(value.message) : typeof value === 'string' ? value : JSON.stringify(value);

/** --verbose: the routing layer's log records (attempts, retries, changes) as lines on stderr. */
function stderrLogger(): Logger {
  const write = (level: string) => (obj: object | string, msg?: string) => {
    const text = typeof obj === 'string' ? obj : (msg ?? '');
    const fields = typeof obj === 'string' ? [] : Object.entries(obj).map(([k, v]) => `${k}=${fieldText(v)}`);
    process.stderr.write(`hostwire: ${level}: ${text}${fields.length > 0 ? ` (${fields.join(' ')})` : ''}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** The ifindex → name map of one listLinks() call. */
function linkNames(netlink: Netlink): Map<number, string> {
  return new Map(netlink.listLinks().map((l) => [l.index, l.name]));
}

const nameOf = (names: Map<number, string>, index: number): string => names.get(index) ?? `#${index}`;

/** An AbortSignal that SIGINT or SIGTERM aborts (reason: the signal's name); a second signal gets the default handling. */
function abortOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const dispose = () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
  const stop = (name: NodeJS.Signals) => () => {
    dispose();
    controller.abort(name);
  };
  const onInt = stop('SIGINT');
  const onTerm = stop('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return { signal: controller.signal, dispose };
}

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

const errorText = (err: Error): string => {
  const code = (err as NodeJS.ErrnoException).code;
  return `${err.message}${code ? ` [${code}]` : ''}`;
};

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
    const retry: RetryOptions = {
      signal: stop.signal,
      ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
      ...(options.delay === undefined ? {} : { delayMs: options.delay }),
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
      const reason: unknown = stop.signal.reason;
      if (err instanceof RouteError && err.kind === 'aborted' && typeof reason === 'string' && reason in SIGNAL_EXIT) {
        process.stderr.write(`hostwire: ${errorText(err)}\n`);
        process.exitCode = SIGNAL_EXIT[reason];
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
    watcher.on('error', (err) => process.stderr.write(`hostwire: ${errorText(err)}\n`));
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
      process.stderr.write(`hostwire: could not remove the route for ${result.subnet} (${result.outcome}): ${why}\n`);
    }
    if (!ok) process.exitCode = 1;
  });
}

// ── route show ──────────────────────────────────────────────────────────────

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

async function show(options: ShowOptions): Promise<void> {
  const netlink = openNetlink(options);
  try {
    await withManager(options, async (manager) => {
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
    });
  } finally {
    netlink.close();
  }
}

// ── bridge resolve ──────────────────────────────────────────────────────────

async function resolve(macText: string, options: Common): Promise<void> {
  const mac = parseMacAddress(macText);
  const netlink = openNetlink(options);
  try {
    const bridge = findBridgeByMac(netlink, mac);
    if (options.json) printJson(bridge);
    if (bridge === null) {
      process.stderr.write(`hostwire: no bridge has ${mac} in its forwarding database\n`);
      process.exitCode = 1;
    } else if (!options.json) {
      printLine(`${bridge.name} (ifindex ${bridge.ifindex})`);
    }
  } finally {
    netlink.close();
  }
}

// ── fdb ─────────────────────────────────────────────────────────────────────

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

async function fdb(options: FdbOptions): Promise<void> {
  const master = options.master === undefined ? undefined : parseInterfaceName(options.master);
  const netlink = openNetlink(options);
  try {
    const entries = netlink.listFdb(master === undefined ? {} : { master });
    const names = linkNames(netlink);
    if (options.json) {
      printJson(
        entries.map((e) => ({ ...e, dev: names.get(e.ifindex) ?? null, masterName: e.master === null ? null : (names.get(e.master) ?? null) })),
      );
    } else {
      for (const e of entries) printLine(formatFdb(e, names));
    }
  } finally {
    netlink.close();
  }
}

// ── link ls ─────────────────────────────────────────────────────────────────

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

async function linkLs(options: Common): Promise<void> {
  const netlink = openNetlink(options);
  try {
    const links = netlink.listLinks();
    if (options.json) printJson(links);
    else {
      const names = new Map(links.map((l) => [l.index, l.name]));
      for (const l of links) printLine(formatLink(l, names));
    }
  } finally {
    netlink.close();
  }
}

// ── registration ────────────────────────────────────────────────────────────

export function registerNetworkCommands(program: Command): void {
  const common = (cmd: Command): Command =>
    cmd
      .option('--netns <name>', 'network namespace: a name under /run/netns or a path such as /proc/PID/ns/net', nonEmpty)
      .option('--json', 'print JSON');
  const subnet = (cmd: Command): Command =>
    cmd
      .option('--subnet <cidr>', 'the subnet hostwire routes', DEFAULT_SUBNET)
      .option('--allow-wide-subnet', 'allow a subnet wider than /8 (IPv4) or /16 (IPv6), which takes traffic from the host\'s own routes');
  const verbose = 'log each attempt, retry and change to stderr';

  const route = program.command('route').description(`route a subnet (default ${DEFAULT_SUBNET}) to the bridge a VM sits behind`);
  common(
    subnet(
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
        .option('--delay <ms>', 'pause between attempts in ms, at most 3600000 (default 2000)', duration(0, 3_600_000))
        .option('--watch', 'keep the route in place until SIGINT/SIGTERM; the route is left in place on exit')
        .option('--verbose', verbose),
    ),
  ).action(ensure);
  common(
    subnet(route.command('remove').description("delete hostwire's routes for the subnet (whole or halves)").option('--verbose', verbose)),
  ).action(remove);
  common(
    subnet(
      route
        .command('show')
        .description("main-table routes: hostwire's and any for the subnet or its halves")
        .option('--all', 'every route of the main table'),
    ),
  ).action(show);

  const bridge = program.command('bridge').description('find the bridge a MAC address sits behind');
  common(bridge.command('resolve').description('the bridge whose forwarding database holds a MAC address').argument('<mac>')).action(
    resolve,
  );

  common(
    program
      .command('fdb')
      .description('the bridge forwarding database, like `bridge fdb show`')
      .option('--master <bridge>', 'only entries of this bridge'),
  ).action(fdb);

  const link = program.command('link').description('network interfaces, like `ip link`');
  common(link.command('ls').description('list network interfaces')).action(linkLs);
}
