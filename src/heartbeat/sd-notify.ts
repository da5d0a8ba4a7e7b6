// systemd's readiness and watchdog protocol (sd_notify), over a non-blocking
// datagram socket: a notify never blocks the event loop and never throws,
// whether systemd is absent, gone, or not reading.
import { checkOptions, invalidArg } from '../common/args.js';
import { DgramSender } from '../dgram/sender.js';
import { OutcomeCode, outcomeOf, sendResultOf, type SendOutcome } from '../dgram/outcome.js';

const senders = new Map<string, DgramSender>();

function senderFor(path: string): DgramSender | SendOutcome {
  let sender = senders.get(path);
  if (sender === undefined) {
    try {
      sender = DgramSender.connect(path);
    } catch (err) {
      const errno = Math.abs((err as NodeJS.ErrnoException).errno ?? 22);
      return outcomeOf(sendResultOf(OutcomeCode.Failed, errno));
    }
    senders.set(path, sender);
  }
  return sender;
}

export type NotifyState = string | Record<string, string | number>;

function render(state: NotifyState): string {
  if (typeof state === 'string') return state;
  if (state === null || typeof state !== 'object') throw invalidArg('state', 'a string or an object', state);
  return Object.entries(state)
    .map(([k, v]) => `${k}=${String(v).replace(/\n/g, ' ')}`)
    .join('\n');
}

/**
 * Sends `state` ("READY=1", or { READY: 1, STATUS: 'serving' }) to
 * $NOTIFY_SOCKET (a path or "@abstract"). Returns null when not run by
 * systemd (no NOTIFY_SOCKET), else the send outcome. Never blocks, and
 * never throws but for a bad argument.
 */
export function sdNotify(state: NotifyState, env: NodeJS.ProcessEnv = process.env): SendOutcome | null {
  const path = checkOptions(env, 'env').NOTIFY_SOCKET;
  if (!path) return null;
  const sender = senderFor(path);
  if (!(sender instanceof DgramSender)) return sender;
  return sender.send(Buffer.from(render(state)));
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** systemd writes these variables in decimal; anything else is not systemd's. */
function decimal(text: string | undefined): number | null {
  return text !== undefined && /^[0-9]{1,20}$/.test(text) ? Number(text) : null;
}

export interface Watchdog {
  /** Keep-alive interval in ms (half of WATCHDOG_USEC). */
  readonly intervalMs: number;
  /** Outcome of the last keep-alive. */
  readonly last: SendOutcome | null;
  stop(): void;
}

/**
 * Starts sending WATCHDOG=1 every WATCHDOG_USEC/2 when systemd asked for it
 * (WATCHDOG_USEC set, and WATCHDOG_PID unset or this process). Returns null
 * otherwise. The timer does not keep the process alive.
 */
export function startWatchdog(env: NodeJS.ProcessEnv = process.env): Watchdog | null {
  checkOptions(env, 'env');
  const usec = decimal(env.WATCHDOG_USEC);
  if (!env.NOTIFY_SOCKET || usec === null || usec <= 0) return null;
  if (env.WATCHDOG_PID && decimal(env.WATCHDOG_PID) !== process.pid) return null;
  // Keep-alives more often than asked are harmless; a timer beyond 2^31 - 1 ms would fire every millisecond.
  const intervalMs = Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(usec / 2000)));
  let last: SendOutcome | null = sdNotify('WATCHDOG=1', env);
  const timer = setInterval(() => {
    last = sdNotify('WATCHDOG=1', env);
  }, intervalMs);
  timer.unref();
  return {
    intervalMs,
    get last() {
      return last;
    },
    stop: () => clearInterval(timer),
  };
}
