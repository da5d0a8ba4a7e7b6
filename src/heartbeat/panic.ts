// Panic hooks: when the process is about to die, tell the observer so that
// the silence that follows is expected rather than a stall.
import { constants } from 'node:os';
import { checkOptions, invalidArg, invalidValue } from '../common/args.js';
import { makeError } from '../common/errors.js';
import { native } from '../native.js';
import type { SendOutcome } from '../dgram/outcome.js';
import { VLP_V2, type VlpVersion } from '../vlp/constants.js';
import { HeartbeatAgent } from './agent.js';

export interface PanicHookOptions {
  version?: VlpVersion;
  /** Termination signals that send the terminal frame (default SIGTERM, SIGINT, SIGHUP, SIGQUIT). */
  signals?: NodeJS.Signals[];
  /** Also hook SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT in the addon (default true). */
  fatalSignals?: boolean;
}

export interface PanicHook {
  /** Whether the terminal frame has been sent. */
  readonly sent: boolean;
  /** Sends the terminal frame now (once): for a graceful shutdown your own signal handler runs. */
  sendTerminal(): SendOutcome | null;
  /**
   * Removes the JS listeners and closes the hook's socket; idempotent. The
   * native fatal-signal hook stays for the process's life (one socket, reused
   * by the next install).
   */
  uninstall(): void;
}

const DEFAULT_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];

/**
 * Opens a socket to the observer now (not while dying) and arranges for one
 * Critical + NONCE_TERMINAL frame on:
 * - an uncaught exception or an unhandled rejection that kills the process
 *   (through 'uncaughtExceptionMonitor', so Node's own handling is untouched);
 * - SIGTERM/SIGINT/SIGHUP/SIGQUIT when nothing else handles them: the frame is
 *   sent, then the signal is raised again so the process dies as it would have.
 *   When your code handles the signal itself, call `hook.sendTerminal()`;
 * - a native crash (fatalSignals): the addon's handler sends a frame with the
 *   signal number as payload using only async-signal-safe calls, then re-raises.
 */
export function installPanicHook(path: string, options: PanicHookOptions = {}): PanicHook {
  checkOptions(options);
  const version = options.version ?? VLP_V2;
  const signals = checkSignals(options.signals ?? DEFAULT_SIGNALS); // before anything is installed
  const agent = HeartbeatAgent.connect(path, { version });
  let sent = false;
  const sendTerminal = (payload = 0): SendOutcome | null => {
    if (sent) return null;
    sent = true;
    return agent.terminal(payload);
  };

  const onFatalException = (): void => {
    sendTerminal();
  };
  process.on('uncaughtExceptionMonitor', onFatalException);

  const signalHandlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of signals) {
    const handler = (): void => {
      if (process.listenerCount(signal) > 1) return; // someone else decides what this signal means
      sendTerminal();
      process.removeListener(signal, handler);
      process.kill(process.pid, signal); // default action now: die by the same signal
    };
    signalHandlers.set(signal, handler);
    process.on(signal, handler);
  }

  if (options.fatalSignals ?? true) native.heartbeat.installFatalSignalHook(path, version);

  return {
    get sent() {
      return sent;
    },
    sendTerminal: () => sendTerminal(),
    uninstall() {
      agent.close();
      process.removeListener('uncaughtExceptionMonitor', onFatalException);
      for (const [signal, handler] of signalHandlers) process.removeListener(signal, handler);
      signalHandlers.clear();
    },
  };
}

// Signals a handler can be installed for: SIGKILL and SIGSTOP cannot be caught.
function checkSignals(value: unknown): NodeJS.Signals[] {
  if (!Array.isArray(value)) throw invalidArg('signals', 'an array of signal names', value);
  for (const signal of value) {
    if (typeof signal !== 'string' || !Object.hasOwn(constants.signals, signal)) {
      throw makeError(TypeError, 'ERR_UNKNOWN_SIGNAL', `Unknown signal: ${String(signal)}`);
    }
    if (signal === 'SIGKILL' || signal === 'SIGSTOP') throw invalidValue('signals', 'signals that can be caught', signal);
  }
  return value as NodeJS.Signals[];
}
