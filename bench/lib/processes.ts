// Child processes for the benchmark: compiled C programs and JS cases each run
// alone in their own process, so one case's heap or GC never colours another's.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const outDir = path.join(benchDir, '.out');

/** Compiles bench/c/<name>.c with the system cc; returns the binary's path. */
export function compileC(name: string, extraFlags: string[] = []): string {
  mkdirSync(outDir, { recursive: true });
  const binary = path.join(outDir, name);
  execFileSync('cc', ['-O2', '-o', binary, path.join(benchDir, 'c', `${name}.c`), ...extraFlags], { stdio: 'inherit' });
  return binary;
}

/** Runs a program to completion and parses the JSON it prints last. */
export function runJson<T>(command: string, args: string[]): T {
  const out = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  const lines = out.trim().split('\n');
  return JSON.parse(lines.at(-1)!) as T;
}

/**
 * Runs a TypeScript case file under bench/cases in a fresh Node process,
 * pinned to one CPU when `cpu` is given.
 */
export function runCase<T>(file: string, args: string[], nodeFlags: string[] = [], cpu?: number): T {
  const argv = [...nodeFlags, '--import', 'tsx', path.join(benchDir, 'cases', file), ...args];
  return cpu === undefined ? runJson<T>(process.execPath, argv) : runJson<T>(...pinned(cpu, process.execPath, argv));
}

/**
 * Runs a TypeScript case file like runCase, but with the whole Node process
 * inside network namespace `netns` (`ip netns exec`), for peers that can only
 * open their sockets in the namespace they run in. Needs root.
 */
export function runCaseInNetns<T>(netns: string, file: string, args: string[], nodeFlags: string[] = [], cpu?: number): T {
  const argv = ['netns', 'exec', netns, process.execPath, ...nodeFlags, '--import', 'tsx', path.join(benchDir, 'cases', file), ...args];
  return cpu === undefined ? runJson<T>('ip', argv) : runJson<T>(...pinned(cpu, 'ip', argv));
}

/** The command line that runs `command` on one CPU only (taskset). */
export function pinned(cpu: number, command: string, args: string[]): [string, string[]] {
  return ['taskset', ['-c', String(cpu), command, ...args]];
}

/** Starts a long-running helper that prints "ready" when it can be used. */
export async function startReady(command: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready`)));
  });
  return child;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}
