// Sending end of an AF_UNIX datagram socket (pathname or "@abstract").
import { native, type NativeDgramSender } from '../native.js';
import { checkInteger, checkPath } from '../common/args.js';
import { outcomeOf, SENT, type SendOutcome } from './outcome.js';

// Lets other hostwire modules (the heartbeat agent) reach the native handle
// without making it public API.
const handles = new WeakMap<DgramSender, NativeDgramSender>();

/** @internal */
export function nativeHandleOf(sender: DgramSender): NativeDgramSender {
  const handle = handles.get(sender);
  if (!handle) throw new TypeError('not a DgramSender');
  return handle;
}

export type SenderState = 'pending' | 'connected' | 'disconnected' | 'closed';
const STATES: readonly SenderState[] = ['pending', 'connected', 'disconnected', 'closed'];

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
}

export interface WaitOptions {
  signal?: AbortSignal;
}

/**
 * A non-blocking, close-on-exec datagram sender. `send()` is one syscall that
 * never blocks and never queues in memory: a full receiver means the datagram
 * is dropped and the outcome says so.
 */
export class DgramSender implements Disposable {
  readonly path: string;
  readonly #handle: NativeDgramSender;
  // The addon's send, bound to its socket: the hot path calls it directly.
  readonly #send: NativeDgramSender['send'];

  private constructor(path: string, handle: NativeDgramSender) {
    this.path = path;
    this.#handle = handle;
    this.#send = handle.send;
    handles.set(this, handle);
  }

  /** Opens a sender for `path` (or `@name` for the abstract namespace). */
  static connect(path: string, options: DgramSenderOptions = {}): DgramSender {
    checkPath(path);
    const handle = new native.dgram.DgramSender(path, options.requireObserver === true);
    const sender = new DgramSender(path, handle);
    if (options.sendBufferSize !== undefined) {
      sender.sendBufferSize = checkInteger('sendBufferSize', options.sendBufferSize, 1, 2 ** 31 - 1);
    }
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
   * sender, when the receiver's queue has room. Only one wait at a time.
   * It does not keep the process alive unless `ref()` was called.
   */
  waitWritable(options: WaitOptions = {}): Promise<void> {
    const { signal } = options;
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        this.#handle.cancelWait();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        this.#handle.waitWritable((err) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) reject(err);
          else resolve();
        });
      } catch (err) {
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      }
    });
  }

  /** Let a pending `waitWritable()` keep the process alive. */
  ref(): this {
    this.#handle.ref();
    return this;
  }

  /** The default: the sender never keeps the process alive. */
  unref(): this {
    this.#handle.unref();
    return this;
  }

  /** Closes the socket; later sends report `failed: EBADF`. Idempotent. */
  close(): void {
    this.#handle.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
