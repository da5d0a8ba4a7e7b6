// RouteWatcher: keeps a RouteManager's route right while the host changes
// around it. Route, link and FDB notifications schedule a check (debounced,
// so a burst of changes costs one); a slow timer checks anyway, in case a
// notification was missed. A check is one reconcile: read, and change only
// what is wrong.
import { checkNumber, checkOptions, invalidArg } from '../common/args.js';
import { Resource, signalBeforeOpen } from '../common/lifecycle.js';
import type { Logger } from '../logger.js';
import type { NetlinkEvent } from '../netlink/monitor.js';
import type { RouteError } from './errors.js';
import type { RouteManager, RouteState } from './manager.js';
import { candidateSubnets } from './plan.js';
import type { RouteChangeFeed, RouteReader } from './reader.js';

/** Where to keep routing to: the bridge whose FDB holds a VM's MAC, a bridge by name, or any device by name. */
export type WatchTarget = { mac: string } | { bridge: string } | { device: string };

export interface WatchOptions {
  /** Quiet time after a notification before checking, ms (default 200; keep well under 1000). */
  debounceMs?: number;
  /** Periodic check, ms (default 30000). */
  intervalMs?: number;
  /** Closes the watcher when aborted; already aborted, watch() throws an AbortError. */
  signal?: AbortSignal;
  /** Whether the watcher keeps the process alive (default true); see also ref() and unref(). */
  ref?: boolean;
}

interface WatcherEvents {
  /** A check changed something: the route was missing, moved or split. */
  restored: [RouteState];
  /** A check found everything in place. */
  checked: [RouteState];
  /** A check failed; the watcher keeps going and tries again on the next change or tick. */
  error: [RouteError | Error];
  close: [];
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** close() stops watching and leaves the route as it is. */
export class RouteWatcher extends Resource<WatcherEvents> {
  readonly #manager: RouteManager;
  readonly #target: WatchTarget;
  readonly #reader: RouteReader;
  readonly #logger: Logger;
  readonly #debounceMs: number;
  readonly #intervalMs: number;
  readonly #signal: AbortSignal | undefined;
  #ref: boolean;
  readonly #prefixes: Set<string>;
  #feed: RouteChangeFeed | null = null;
  #debounce: NodeJS.Timeout | null = null;
  #interval: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(manager: RouteManager, target: WatchTarget, reader: RouteReader, options: WatchOptions, logger: Logger) {
    super();
    if (typeof (manager as Partial<RouteManager> | null)?.reconcile !== 'function') throw invalidArg('manager', 'a RouteManager', manager);
    options = checkOptions(options);
    this.#manager = manager;
    this.#target = target;
    this.#reader = reader;
    this.#logger = logger;
    // Timers take at most 2^31-1 ms; Node would quietly turn a longer wait into 1 ms.
    this.#debounceMs = checkNumber('debounceMs', options.debounceMs ?? 200, 0, MAX_TIMER_MS);
    this.#intervalMs = checkNumber('intervalMs', options.intervalMs ?? 30_000, 0, MAX_TIMER_MS, true);
    this.#signal = signalBeforeOpen(options.signal);
    this.#ref = options.ref ?? true;
    this.#prefixes = new Set(candidateSubnets(manager.subnet).map(String));
  }

  /** Subscribes to the reader's changes and runs a first check at once. Called by RouteManager.watch(). */
  start(): void {
    try {
      this.#feed = this.#reader.subscribe(
        {
          events: (events) => {
            if (events.some((e) => this.#concerns(e))) this.#schedule();
          },
          error: (err) => this.#fail(err),
        },
        { ref: this.#ref },
      );
    } catch (err) {
      // Without notifications the periodic check still keeps the route right.
      this.#fail(err as Error);
    }
    this.#interval = setInterval(() => this.#schedule(0), this.#intervalMs);
    if (!this.#ref) this.#interval.unref();
    this.#schedule(0);
    this.closeOnAbort(this.#signal);
  }

  /** Runs a check now (or right after the one in progress) and resolves when it is done. */
  async check(): Promise<void> {
    if (this.closed) return;
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          const state = await this.#manager.reconcile(this.#target);
          if (this.closed) return;
          this.emit(state.changed ? 'restored' : 'checked', state);
        } catch (err) {
          if (!this.closed) this.#fail(err as Error);
        }
      } while (this.#again && !this.closed);
    })().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** Lets the watcher keep the process alive (the default unless `ref: false`). */
  override ref(): this {
    return this.#setRef(true);
  }

  override unref(): this {
    return this.#setRef(false);
  }

  #setRef(ref: boolean): this {
    this.#ref = ref;
    for (const timer of [this.#interval, this.#debounce]) {
      if (ref) timer?.ref();
      else timer?.unref();
    }
    if (ref) this.#feed?.ref?.();
    else this.#feed?.unref?.();
    return this;
  }

  protected release(): void {
    if (this.#debounce) clearTimeout(this.#debounce);
    if (this.#interval) clearInterval(this.#interval);
    this.#feed?.close();
    this.#feed = null;
  }

  #concerns(event: NetlinkEvent): boolean {
    switch (event.kind) {
      case 'route':
        return this.#prefixes.has(`${event.route.dst}/${event.route.prefix}`) && event.route.table === 254;
      case 'link':
        return true; // a bridge appearing, going up or down, or being renamed
      case 'fdb':
        return 'mac' in this.#target && event.fdb.mac === this.#target.mac; // canonical: parsed by RouteManager.watch()
      case 'overrun':
        return true;
    }
  }

  #schedule(delay = this.#debounceMs): void {
    if (this.closed) return;
    if (this.#debounce) clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => {
      this.#debounce = null;
      void this.check();
    }, delay);
    if (!this.#ref) this.#debounce.unref();
  }

  #fail(err: Error): void {
    this.#logger.warn({ err }, 'route check failed');
    // An 'error' without listeners would throw; a watcher must not crash its daemon.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}
