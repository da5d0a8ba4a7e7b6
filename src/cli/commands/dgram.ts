// `hostwire dgram …`: send and receive AF_UNIX datagrams from the shell.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { DgramReceiver, DgramSender, type DatagramInfo } from '../../dgram/index.js';
import { count, duration, durationOption, octalMode, socketOption } from '../options.js';
import { errorText, printCounts, printError, printJson, printLine } from '../output.js';
import { untilStopped } from '../signals.js';
import { formatTable } from '../table.js';

interface ListenOptions {
  socket: string;
  mode?: number;
  credentials?: boolean;
  durationMs?: number;
  json?: boolean;
}

interface SendOptions {
  socket: string;
  count: number;
  intervalMs: number;
  json?: boolean;
}

function preview(data: Buffer): string {
  const printable = /^[\x20-\x7e]*$/.test(data.toString('latin1'));
  return printable ? JSON.stringify(data.toString('latin1')) : `0x${data.subarray(0, 32).toString('hex')}`;
}

function describeMessage(data: Buffer, info: DatagramInfo): string {
  const from = info.pid === null ? '' : ` from pid ${info.pid} (uid ${info.uid}, gid ${info.gid})`;
  const cut = info.truncated ? ' [truncated]' : '';
  const fds = info.fdsClosed ? ' [passed fds closed]' : '';
  return `${info.length} bytes${from}${cut}${fds}: ${preview(data)}`;
}

export async function listen(options: ListenOptions): Promise<void> {
  const receiver = DgramReceiver.listen(options.socket, {
    mode: options.mode,
    credentials: options.credentials === true,
  });
  receiver.on('message', (data, info) => {
    if (options.json) printJson({ event: 'message', ...info, data: data.toString('base64') });
    else printLine(describeMessage(data, info));
  });
  receiver.on('error', (err) => {
    printError(errorText(err));
    process.exitCode = 1;
  });
  if (!options.json) printLine(`listening on ${options.socket} (Ctrl-C to stop)`);
  else printJson({ event: 'listening', socket: options.socket });
  const why = await untilStopped(options.durationMs);
  const stats = receiver.stats;
  receiver.close();
  if (options.json) printJson({ event: 'stats', stopped: why, ...stats });
  else printLine(`stopped (${why}): ${stats.datagrams} datagrams in ${stats.batches} batches`);
}

export async function send(text: string, options: SendOptions): Promise<void> {
  const sender = DgramSender.connect(options.socket);
  const counts: Record<string, number> = {};
  const data = Buffer.from(text);
  for (let i = 0; i < options.count; i++) {
    const outcome = sender.send(data);
    const key = outcome.code && !outcome.ok ? `${outcome.label} (${outcome.code})` : outcome.label;
    counts[key] = (counts[key] ?? 0) + 1;
    if (options.intervalMs > 0 && i + 1 < options.count) {
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
    }
  }
  sender.close();
  if (options.json) {
    printJson({ socket: options.socket, count: options.count, outcomes: counts });
  } else {
    printCounts(counts);
  }
  if (counts.sent !== options.count) process.exitCode = 1;
}

// A self-contained tour: a receiver here, a sender in a child process, the
// kernel's word on who sent, and what a sender sees when nobody reads.
async function demo(options: { json?: boolean }): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hostwire-demo-'));
  const sock = path.join(dir, 'demo.sock');
  const receiver = DgramReceiver.listen(sock, { credentials: true });
  const report: Record<string, unknown> = { socket: sock };
  try {
    const got: string[] = [];
    const arrived = new Promise<void>((resolve) => {
      receiver.on('message', (data, info) => {
        got.push(describeMessage(data, info));
        if (got.length === 3) resolve();
      });
    });
    const main = process.argv[1]!; // this very command, run again as the sender
    const child = spawn(
      process.execPath,
      [...process.execArgv, main, 'dgram', 'send', '--socket', sock, '--count', '3', '--json', 'hello from a child'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let childOut = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (childOut += d));
    await new Promise((resolve) => child.once('exit', resolve));
    await arrived;
    report.childPid = child.pid;
    report.received = got;

    receiver.pause(); // now nobody reads: the kernel queue (net.unix.max_dgram_qlen) fills
    const sender = DgramSender.connect(sock);
    const labels: Record<string, number> = {};
    for (let i = 0; i < 50; i++) {
      const label = sender.send(Buffer.from('x')).label;
      labels[label] = (labels[label] ?? 0) + 1;
    }
    receiver.close();
    const after = sender.send(Buffer.from('x')).label;
    sender.close();
    report.whenNobodyReads = labels;
    report.afterReceiverClosed = after;
  } finally {
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (options.json) {
    printJson(report);
    return;
  }
  printLine(`receiver bound at ${sock} (mode 0600, SO_PASSCRED on)`);
  printLine(`a child process (pid ${String(report.childPid)}) sent 3 datagrams:`);
  for (const line of report.received as string[]) printLine(`  ${line}`);
  printLine('the receiver stops reading; 50 more sends, none blocks or queues in memory:');
  const counts = Object.entries(report.whenNobodyReads as Record<string, number>).map(([label, n]) => [String(n), '×', label]);
  for (const line of formatTable(counts, [{ align: 'right', minWidth: 3 }, {}, {}], ' ')) printLine(`  ${line}`);
  printLine(`after the receiver closed: ${String(report.afterReceiverClosed)}`);
}

export function registerDgramCommands(program: Command): void {
  const dgram = program.command('dgram').description('AF_UNIX datagram sockets');
  dgram
    .command('listen')
    .description('bind a datagram socket and print what arrives')
    .addOption(socketOption('socket path, or @name for the abstract namespace'))
    .option('--mode <octal>', 'file mode of the socket file', octalMode)
    .option('--credentials', "show each sender's kernel-attested pid/uid/gid")
    .addOption(durationOption())
    .option('--json', 'one JSON object per line')
    .action(listen);
  dgram
    .command('send')
    .description('send datagrams and summarise the outcomes')
    .argument('<text>', 'datagram payload')
    .addOption(socketOption('socket path, or @name for the abstract namespace'))
    .option('--count <n>', 'how many datagrams (1 or more)', count, 1)
    .option('--interval-ms <n>', 'pause between datagrams (at most 2147483647)', duration(), 0)
    .option('--json', 'print one JSON object')
    .action(send);
  dgram.command('demo').description('a short tour of datagram sockets').option('--json', 'print one JSON object').action(demo);
}
