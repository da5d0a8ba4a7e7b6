import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'vitest';
import type { AgentSnapshot, Observer, ObserverEvents } from '../../src/heartbeat/index.js';

/** Resolves with the first `event` for `pid` (any pid when omitted). */
export function nextEvent<K extends 'join' | 'stall' | 'recovered' | 'terminal' | 'evicted'>(
  observer: Observer,
  event: K,
  pid?: number,
): Promise<AgentSnapshot> {
  return new Promise((resolve) => {
    const listener = (...args: ObserverEvents[K]) => {
      const agent = args[0];
      if (pid !== undefined && agent.pid !== pid) return;
      observer.off(event, listener as never);
      resolve(agent);
    };
    observer.on(event, listener as never);
  });
}

/** Waits until a child has printed `text`. */
export async function waitForOutput(child: ChildProcess, text: string): Promise<string> {
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => (out += d));
  await expect.poll(() => out.includes(text) || child.exitCode !== null, { timeout: 20_000 }).toBe(true);
  if (!out.includes(text)) throw new Error(`child exited (${child.exitCode}) before printing ${text}: ${out}`);
  return out;
}

export async function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal };
}
