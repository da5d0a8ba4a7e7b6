// Sending end of an AF_UNIX datagram socket (pathname or "@abstract").
import { native, type NativeDgramSender } from '../native.js';
import { checkInteger, checkOptions, checkPath, checkSignal, invalidArg } from '../common/args.js';
import { Resource, signalBeforeOpen } from '../common/lifecycle.js';
import { outcomeOf, SENT, type SendOutcome } from './outcome.js';
import { DgramError } from './errors.js';

// Lets other hostwire modules (the heartbeat agent) reach the native handle
// without making it public API.
const handles = new WeakMap<DgramSender, NativeDgramSender>();

/** @internal */
export function nativeHandleOf(sender: DgramSender): NativeDgramSender {
  const handle = handles.get(sender);
  if (!handle) throw invalidArg('sender', 'a DgramSender', sender);
  return handle;
}

export type SenderState = 'pending' | 'connected' | 'disconnected' | 'closed';
// The addon's state numbers, by name; STATES maps them back.
const STATE = native.dgram.constants.senderState;
const STATES: SenderState[] = [];
for (const name of ['pending', 'connected', 'disconnected', 'closed'] as const) STATES[STATE[name]] = name;

export interface DgramSenderOptions {
  /**
   * Throw from `connect()` when nothing is bound at the path yet (ENOENT or
   * ECONNREFUSED). Default false: the sender starts `pending`, each send is
   * addressed to the path and reports `dropped: no observer` until the
   * receiver appears, then the sender connects.
   */
  requireObserver?: boolean;
  /** SO_SNDBUF in bytes (the kernel doubles it for bookkeeping). */
  sendBufferSize?: number;
  /** Closes the sender when aborted; already aborted, connect() throws an AbortError. */
  signal?: AbortSignal;
}

export interface WaitOptions {
  signal?: AbortSignal;
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const CLOSED = STATE.closed;

/**
 * A non-blocking, close-on-exec datagram sender. `send()` is one syscall that
 * never blocks and never queues in memory: a full receiver means the datagram
 * is dropped and the outcome says so. close() also rejects pending waits.
 */
export class DgramSender extends Resource {
  readonly path: string;
  readonly #handle: NativeDgramSender;
  // The addon's send, bound to its socket: the hot path calls it directly.
  readonly #send: NativeDgramSender['send'];
  // Every pending waitWritable(); they share one native poll and settle together.
  readonly #waiters = new Set<Waiter>();
  readonly #onWritable = (err: Error | null): void => this.#settleAll(err);

  private constructor(path: string, handle: NativeDgramSender) {
    super();
    this.path = path;
    this.#handle = handle;
    this.#send = handle.send;
    handles.set(this, handle);
  }

  /** Opens a sender for `path` (or `@name` for the abstract namespace). */
  static connect(path: string, options: DgramSenderOptions = {}): DgramSender {
    checkPath(path);
    checkOptions(options);
    // Options first: nothing is opened for a call that throws.
    const sendBufferSize =
      options.sendBufferSize === undefined ? undefined : checkInteger('sendBufferSize', options.sendBufferSize, 1, 2 ** 31 - 1);
    const signal = signalBeforeOpen(options.signal);
    const handle = new native.dgram.DgramSender(path, options.requireObserver === true);
    const sender = new DgramSender(path, handle);
    if (sendBufferSize !== undefined) sender.sendBufferSize = sendBufferSize;
    sender.closeOnAbort(signal);
    return sender;
  }

  /**
   * Sends one datagram: the whole of `data`, or `length` bytes from `offset`.
   * Synchronous; returns a frozen outcome (compare `outcome.ok`, or `=== SENT`).
   * `offset` and `length` must be integers within `data` (else ERR_OUT_OF_RANGE,
   * or ERR_INVALID_ARG_TYPE for a non-number); nothing is sent when they are not.
   */
  send(data: Uint8Array, offset?: number, length?: number): SendOutcome {
    // The addon checks the numbers where it reads them; only `undefined` means "absent".
    const result =
      length !== undefined
        ? this.#send(data, offset === undefined ? 0 : offset, length)
        : offset !== undefined
          ? this.#send(data, offset)
          : this.#send(data);
    return result === 0 ? SENT : outcomeOf(result);
  }

  /**
   * Replaces the socket with a fresh one connected to the same path. The new
   * socket is built before the old one is dropped, so on error nothing changed.
   * Use it after `dropped: peer gone` when the receiver was restarted.
   */
  reconnect(): void {
    this.#handle.reconnect();
    // The poll watched the old socket; the new one's queue is another matter.
    if (this.#waiters.size > 0) {
      this.#settleAll(new DgramError('ERR_WAIT_SUPERSEDED', `reconnect() replaced the socket waitWritable() watched (${this.path})`));
    }
  }

  get state(): SenderState {
    return STATES[this.#handle.state] ?? 'closed';
  }

  /** The underlying fd, or -1 once closed. */
  get fd(): number {
    return this.#handle.fd;
  }

  get sendBufferSize(): number {
    return this.#handle.sendBufferSize;
  }

  set sendBufferSize(bytes: number) {
    this.#handle.sendBufferSize = checkInteger('sendBufferSize', bytes, 1, 2 ** 31 - 1);
  }

  /**
   * Resolves when the socket is writable again, that is, for a connected
   * sender, when the receiver's queue has room. It does not keep the process
   * alive unless `ref()` was called.
   *
   * Every wait settles. Several may be pending at once (like several
   * listeners of one event): they share one poll and resolve together; an
   * abort rejects only its own. `close()` rejects them with
   * `ERR_SOCKET_CLOSED` (as does waiting on a closed sender), `reconnect()`
   * with `ERR_WAIT_SUPERSEDED`, since the socket they watched is gone.
   */
  waitWritable(options: WaitOptions = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const signal = checkSignal(checkOptions(options).signal); // a bad one rejects
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      if (this.#handle.state === CLOSED) {
        reject(this.#closedError());
        return;
      }
      if (this.#waiters.size === 0) {
        try {
          this.#handle.waitWritable(this.#onWritable);
        } catch (err) {
          reject(err);
          return;
        }
      }
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal !== undefined) {
        waiter.onAbort = () => {
          this.#forget(waiter);
          if (this.#waiters.size === 0) this.#handle.cancelWait();
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiters.add(waiter);
    });
  }

  #forget(waiter: Waiter): void {
    this.#waiters.delete(waiter);
    if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort);
  }

  #settleAll(err: Error | null): void {
    for (const waiter of this.#waiters) {
      this.#forget(waiter);
      if (err === null) waiter.resolve();
      else waiter.reject(err);
    }
  }

  #closedError(): DgramError {
    return new DgramError('ERR_SOCKET_CLOSED', `the sender for ${this.path} is closed`);
  }

  /** Let a pending `waitWritable()` keep the process alive. */
  override ref(): this {
    this.#handle.ref();
    return this;
  }

  /** The default: the sender never keeps the process alive. */
  override unref(): this {
    this.#handle.unref();
    return this;
  }

  // After close, sends report `failed: EBADF` and pending waits reject.
  protected release(): void {
    this.#handle.close();
    if (this.#waiters.size > 0) this.#settleAll(this.#closedError());
  }
}
