// `hostwire heartbeat beat|watch|demo`: the heartbeat protocol from the shell.
import { Option, type Command } from 'commander';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeartbeatAgent, HeartbeatObserver, installPanicHook, type AgentSnapshot } from '../../heartbeat/index.js';
import { Status, type StatusCode, type VlpVersion } from '../../vlp/constants.js';
import { count, duration, durationOption, integer, invalidWith, oneOf, socketOption, status, U32_MAX } from '../options.js';
import { errorText, printCounts, printError, printJson, printLine } from '../output.js';
import { untilStopped } from '../signals.js';
import { formatTable } from '../table.js';

interface BeatOptions {
  crashAfterMs?: number;
  socket: string;
  count: number;
  intervalMs: number;
  status: StatusCode;
  payload: number;
  vlp: VlpVersion;
  json?: boolean;
}

async function beat(options: BeatOptions, command: Command): Promise<void> {
  if (options.vlp === 2 && options.payload > U32_MAX) {
    invalidWith(command, '--payload <n>', String(options.payload), `Expected a decimal integer from 0 to ${U32_MAX} with --vlp 2.`);
  }
  const agent = HeartbeatAgent.connect(options.socket, { version: options.vlp, reconnectAfter: 3 });
  if (options.crashAfterMs !== undefined) {
    // Show what a crash looks like to the observer: a terminal frame, then silence.
    installPanicHook(options.socket, { version: options.vlp });
    setTimeout(() => {
      throw new Error(`hostwire heartbeat beat: crashing on purpose after ${options.crashAfterMs} ms (--crash-after-ms)`);
    }, options.crashAfterMs);
  }
  const outcomes: Record<string, number> = {};
  for (let i = 0; i < options.count; i++) {
    const outcome = agent.beat(options.status, options.payload);
    const key = outcome.ok ? 'sent' : `${outcome.label} (${outcome.code})`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    if (options.intervalMs > 0 && i + 1 < options.count) await new Promise((r) => setTimeout(r, options.intervalMs));
  }
  const summary = {
    socket: options.socket,
    pid: agent.pid,
    vlp: options.vlp,
    count: options.count,
    outcomes,
    nextNonce: String(agent.nonce),
    stats: agent.stats,
  };
  agent.close();
  if (options.json) printJson(summary);
  else {
    printLine(`pid ${summary.pid} → ${options.socket} (VLP v0.${options.vlp})`);
    printCounts(outcomes);
  }
  if (outcomes.sent !== options.count) process.exitCode = 1;
}

interface WatchOptions {
  socket: string;
  stallMs: number;
  acceptV1?: boolean;
  durationMs?: number;
  json?: boolean;
}

const jsonSafe = (a: AgentSnapshot) => ({
  ...a,
  payload: String(a.payload),
  nonce: String(a.nonce),
  timestamp: String(a.timestamp),
  silentForMs: Math.round(a.silentForMs),
  lastSeenMs: undefined,
});

const AGENT_COLUMNS = ['PID', 'STATE', 'BEATS', 'NONCE', 'PAYLOAD', 'SILENT'].map((header) => ({ header }));

function renderTable(observer: HeartbeatObserver): string {
  const { agents, counters } = observer.snapshot();
  const rows = agents.map((a) => [
    String(a.pid),
    a.terminal ? 'TERMINAL' : a.stalled ? 'STALLED' : a.status.toUpperCase(),
    String(a.beats),
    String(a.nonce),
    String(a.payload),
    `${(a.silentForMs / 1000).toFixed(1)}s`,
  ]);
  const lines = formatTable(rows, AGENT_COLUMNS);
  const errors = Object.values(counters.decodeErrors).reduce((a, b) => a + b, 0);
  lines.push(
    '',
    `datagrams ${counters.datagrams}  accepted ${counters.accepted}  decode errors ${errors}  auth failures ${counters.authFailures}  uid rejected ${counters.uidRejected}  stalls ${counters.stalls}`,
    `nonce rejected ${counters.nonceRejected}  restarts rejected ${counters.restartRejected}  pid reuses ${counters.pidReuses}  refused (full) ${counters.capacityRefused}  evictions ${counters.evictions}`,
  );
  return lines.join('\n');
}

async function watch(options: WatchOptions): Promise<void> {
  const observer = HeartbeatObserver.listen(options.socket, { stallAfterMs: options.stallMs, versions: options.acceptV1 ? [1, 2] : [2] });
  const live = !options.json && process.stdout.isTTY === true;
  if (options.json) {
    printJson({ event: 'listening', socket: options.socket, stallAfterMs: options.stallMs, versions: observer.versions });
    for (const event of ['join', 'stall', 'recovered', 'terminal', 'evicted'] as const) {
      observer.on(event, (a: AgentSnapshot) => printJson({ event, ...jsonSafe(a) }));
    }
    observer.on('status', (a, previous) => printJson({ event: 'status', previous, ...jsonSafe(a) }));
  } else {
    printLine(
      `watching ${options.socket} (VLP ${observer.versions.map((v) => `v0.${v}`).join(' and ')}; stall after ${options.stallMs} ms; Ctrl-C to stop)`,
    );
    if (!live) {
      observer.on('join', (a) => printLine(`join       pid ${a.pid} ${a.status}`));
      observer.on('status', (a, p) => printLine(`status     pid ${a.pid} ${p} → ${a.status}`));
      observer.on('stall', (a) => printLine(`STALL      pid ${a.pid} silent ${Math.round(a.silentForMs)} ms`));
      observer.on('recovered', (a) => printLine(`recovered  pid ${a.pid}`));
      observer.on('terminal', (a) => printLine(`terminal   pid ${a.pid} (payload ${a.payload})`));
    }
  }
  observer.on('error', (err) => printError(errorText(err)));
  const redraw = live ? setInterval(() => process.stdout.write(`\x1b[H\x1b[2J${renderTable(observer)}\n`), 250) : undefined;
  const why = await untilStopped(options.durationMs);
  if (redraw) clearInterval(redraw);
  const snapshot = observer.snapshot();
  observer.close();
  if (options.json) printJson({ event: 'stats', stopped: why, agents: snapshot.agents.map(jsonSafe), ...snapshot.counters });
  else printLine(`\n${renderTable(observer)}\nstopped (${why})`);
}

const DEMO_WAIT_MS = 15_000;

const DEMO_EVENTS = ['join', 'stall', 'terminal'] as const;

/** Resolves once `done()` holds (checked on the demo's observer events and every 50 ms), or after `timeoutMs`. */
function until(observer: HeartbeatObserver, done: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      clearInterval(poll);
      for (const name of DEMO_EVENTS) observer.off(name, check);
      resolve();
    };
    const check = () => {
      if (done()) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    const poll = setInterval(check, 50);
    for (const name of DEMO_EVENTS) observer.on(name, check);
    check();
  });
}

// The main job in one command: an observer here, agents in child processes;
// one is killed (a stall), one crashes (a terminal frame).
async function demo(options: { json?: boolean }): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hostwire-demo-'));
  const sock = path.join(dir, 'observer.sock');
  const observer = HeartbeatObserver.listen(sock, { stallAfterMs: 500 });
  const events: Record<string, unknown>[] = [];
  const log = (event: string, a: AgentSnapshot, extra = '') => {
    events.push({ event, ...jsonSafe(a) });
    if (!options.json) printLine(`${event.padEnd(10)} pid ${a.pid}  ${a.status}  nonce ${a.nonce}  payload ${a.payload}${extra}`);
  };
  observer.on('join', (a) => log('join', a));
  observer.on('stall', (a) => log('STALL', a, `  (silent ${Math.round(a.silentForMs)} ms)`));
  observer.on('terminal', (a) => log('terminal', a, '  (Critical + NONCE_TERMINAL: it is dying)'));
  const main = process.argv[1]!;
  const run = (args: string[]) =>
    spawn(process.execPath, [...process.execArgv, main, 'heartbeat', 'beat', '--socket', sock, ...args], { stdio: 'ignore' });
  try {
    if (!options.json) printLine(`observer on ${sock}, stall after 500 ms\n`);
    const steady = run(['--count', '1000', '--interval-ms', '100']);
    const crashing = run(['--count', '1000', '--interval-ms', '100', '--status', 'degraded', '--payload', '7', '--crash-after-ms', '800']);
    const seen = (event: string, pid: number | undefined) => events.some((e) => e.event === event && e.pid === pid);
    // Kill the steady agent once both have joined and it has beaten a few times
    // (a loaded machine may take seconds to start them).
    const beatsOf = (pid: number | undefined) => observer.snapshot().agents.find((a) => a.pid === pid)?.beats ?? 0;
    await until(observer, () => seen('join', steady.pid) && seen('join', crashing.pid) && beatsOf(steady.pid) >= 5, DEMO_WAIT_MS);
    steady.kill('SIGKILL'); // no last words: the observer must notice the silence
    await until(observer, () => seen('STALL', steady.pid) && seen('terminal', crashing.pid), DEMO_WAIT_MS);
    crashing.kill('SIGKILL');
    const snapshot = observer.snapshot();
    if (options.json) printJson({ socket: sock, events, counters: snapshot.counters });
    else printLine(`\n${renderTable(observer)}`);
  } finally {
    observer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const beatCommand = (cmd: Command): Command =>
  cmd
    .description('send VLP heartbeats to an observer and summarise the outcomes')
    .addOption(socketOption('observer socket path, or @name'))
    .option('--count <n>', 'beats to send (1 or more)', count, 1)
    .option('--interval-ms <n>', 'pause between beats (at most 2147483647)', duration(), 1000)
    .addOption(new Option('--status <s>', 'ok | degraded | critical').argParser(status).default(Status.Ok, 'ok'))
    .option('--payload <n>', 'payload: a u32 with VLP v0.2, a safe integer with v0.1', integer(0, Number.MAX_SAFE_INTEGER), 0)
    .option('--vlp <1|2>', 'wire version', oneOf([1, 2]), 2)
    .option('--crash-after-ms <n>', 'install the panic hook and crash on purpose after n ms', duration())
    .option('--json', 'print one JSON object')
    .action(beat);

const watchCommand = (cmd: Command): Command =>
  cmd
    .description('observe heartbeats: a live table of agents, or JSON events')
    .addOption(socketOption('socket path to bind, or @name'))
    .option('--stall-ms <n>', 'silence before an agent is stalled (1 to 2147483647)', duration(1), 3000)
    .addOption(durationOption())
    .option('--accept-v1', 'also accept VLP v0.1 agents (by default only v0.2, as the spec requires)')
    .option('--json', 'one JSON object per event line, then a stats object')
    .action(watch);

const demoCommand = (cmd: Command): Command =>
  cmd
    .description('heartbeats in one command: agents in child processes, a stall and a crash')
    .option('--json', 'print one JSON object')
    .action(demo);

export function registerHeartbeatCommands(program: Command): void {
  // `hostwire demo` is the quick start, so it stays at the top as well.
  demoCommand(program.command('demo'));
  const heartbeat = program.command('heartbeat').description('VLP heartbeats: send them, watch them, see a stall');
  beatCommand(heartbeat.command('beat'));
  watchCommand(heartbeat.command('watch'));
  demoCommand(heartbeat.command('demo'));
  // The spellings from before the group existed, still accepted; help shows the grouped ones.
  beatCommand(program.command('beat', { hidden: true }));
  watchCommand(program.command('watch', { hidden: true }));
}
