// One lifecycle for every hostwire resource (sockets, agents, observers,
// monitors, watchers, the machine store), the way Node's own handles behave:
// close() is idempotent, 'close' is emitted once on the next tick, ref() and
// unref() are methods, `using`/`await using` close it, and an AbortSignal
// given when it was opened closes it on abort (as dgram.createSocket({ signal })).
import { EventEmitter } from 'node:events';
import { checkSignal } from './args.js';
import { abortError } from './errors.js';

/** The events every resource emits; subclasses add their own. */
export interface ResourceEvents {
  /** Emitted once, on the tick after close() (after the store's close() settles). */
  close: [];
}

type EventMap<T> = Record<keyof T, unknown[]>;

/** Checks `signal` and throws an AbortError if it has already fired: call it before opening anything. */
export function signalBeforeOpen(signal: unknown): AbortSignal | undefined {
  const checked = checkSignal(signal);
  if (checked?.aborted) throw abortError(checked);
  return checked;
}

function emitClose(emitter: EventEmitter): void {
  emitter.emit('close');
}

/** What the sync and async resources share: the closed flag, the abort signal, ref()/unref(). */
abstract class ResourceBase<Events extends EventMap<Events> & ResourceEvents> extends EventEmitter<Events> {
  #closed = false;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Lets the resource keep the process alive (the default where it has
   * something to wait for). Resources with nothing on the event loop keep
   * this no-op, so that every resource has the method.
   */
  ref(): this {
    return this;
  }

  /** Lets the process exit while this resource is open. A no-op where it holds nothing on the event loop. */
  unref(): this {
    return this;
  }

  /** Closes the resource when `signal` aborts; the listener is removed on close. */
  protected closeOnAbort(signal: AbortSignal | undefined): void {
    if (signal === undefined || this.#closed) return;
    if (signal.aborted) {
      void this.close();
      return;
    }
    this.#signal = signal;
    this.#onAbort = () => void this.close();
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** True the first time only: marks the resource closed and drops the abort listener. */
  protected markClosed(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    if (this.#onAbort !== undefined) this.#signal!.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
    this.#onAbort = undefined;
    return true;
  }

  protected emitCloseSoon(): void {
    process.nextTick(emitClose, this);
  }

  abstract close(): void | Promise<void>;
}

/** A resource whose close() is synchronous. Subclasses release what they hold in `release()`. */
export abstract class Resource<Events extends EventMap<Events> & ResourceEvents = ResourceEvents>
  extends ResourceBase<Events>
  implements Disposable
{
  /** Closes the resource and releases what it holds. Idempotent; 'close' follows on the next tick. */
  close(): void {
    if (!this.markClosed()) return;
    try {
      this.release();
    } finally {
      this.emitCloseSoon();
    }
  }

  /** Called once, by the first close(). */
  protected abstract release(): void;

  [Symbol.dispose](): void {
    this.close();
  }
}

/** A resource whose close() is asynchronous: every call returns the first call's promise. */
export abstract class AsyncCloseResource<Events extends EventMap<Events> & ResourceEvents = ResourceEvents>
  extends ResourceBase<Events>
  implements AsyncDisposable
{
  #closing: Promise<void> | undefined;

  /** Closes the resource and releases what it holds. Idempotent; 'close' follows once it has settled. */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.markClosed();
      this.#closing = (async () => {
        try {
          await this.release();
        } finally {
          this.emitCloseSoon();
        }
      })();
    }
    return this.#closing;
  }

  /** Called once, by the first close(). */
  protected abstract release(): Promise<void>;

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
