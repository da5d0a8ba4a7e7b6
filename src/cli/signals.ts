// The one way the CLI turns SIGINT/SIGTERM into a stop: an AbortSignal whose
// reason is the signal's name. A command that is interrupted mid-task exits
// 128 + the signal number, as a shell reports it; one that was asked to run
// until stopped (listen, watch, --watch) stops cleanly and exits 0.
import { MAX_TIMER_MS } from './options.js';

/** Exit status of a command a signal interrupted: 128 + the signal number. */
export const SIGNAL_EXIT_CODES = Object.freeze({ SIGINT: 130, SIGTERM: 143 });

export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

export interface SignalAbort extends Disposable {
  /** Aborted by the first SIGINT or SIGTERM; its reason is the signal's name. */
  readonly signal: AbortSignal;
  /** Gives the signals back their default handling (a second signal, or one after dispose, ends the process). */
  dispose(): void;
}

/** An AbortSignal that the first SIGINT or SIGTERM aborts; a second signal gets the default handling. */
export function abortOnSignals(): SignalAbort {
  const controller = new AbortController();
  const dispose = () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
  const stop = (name: StopSignal) => () => {
    dispose();
    controller.abort(name);
  };
  const onInt = stop('SIGINT');
  const onTerm = stop('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return { signal: controller.signal, dispose, [Symbol.dispose]: dispose };
}

/** The exit status for an abort `reason` that is one of our signals, else undefined. */
export function signalExitCode(reason: unknown): number | undefined {
  return typeof reason === 'string' && Object.hasOwn(SIGNAL_EXIT_CODES, reason) ? SIGNAL_EXIT_CODES[reason as StopSignal] : undefined;
}

/**
 * Resolves with the signal's name on SIGINT/SIGTERM, or 'duration' after `ms`
 * (when given), whichever comes first. The process stays up while it waits,
 * whether or not anything else holds the event loop open.
 */
export function untilStopped(ms: number | undefined): Promise<StopSignal | 'duration'> {
  const stop = abortOnSignals();
  return new Promise((resolve) => {
    const timer =
      ms === undefined
        ? setInterval(() => {}, MAX_TIMER_MS)
        : setTimeout(() => {
            stop.dispose();
            resolve('duration');
          }, ms);
    stop.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(stop.signal.reason as StopSignal);
    });
  });
}
