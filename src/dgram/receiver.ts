// Receiving end of an AF_UNIX datagram socket, driven by Node's event loop.
import { native, type NativeDgramReceiver } from '../native.js';
import { checkInteger, checkOptions, checkPath, invalidArg } from '../common/args.js';
import { Resource, signalBeforeOpen } from '../common/lifecycle.js';

const Native = native.dgram.DgramReceiver;
// One datagram's slots in the addon's meta array, and the bits of its flags.
const { stride: FIELDS, length: LENGTH, flags: FLAGS, pid: PID, uid: UID, gid: GID } = native.dgram.constants.receiveMeta;
const { truncated: TRUNCATED, fdsClosed: FDS_CLOSED } = native.dgram.constants.receiveFlag;

export interface DgramReceiverOptions {
  /** File mode of the socket file (default 0o600); never wider at any instant. */
  mode?: number;
  /** Ask the kernel for each sender's pid/uid/gid (SO_PASSCRED). Default false. */
  credentials?: boolean;
  /** Datagrams read per recvmmsg() call (1–1024, default 64). */
  batchSize?: number;
  /** Bytes kept per datagram (1–1 MiB, default 4096); longer ones arrive truncated with their real length. */
  messageSize?: number;
  /** SO_RCVBUF in bytes. */
  receiveBufferSize?: number;
  /**
   * Zero-allocation path: called once per batch with a reused view over the
   * receive buffer, valid only during the call. When set, reading starts at once.
   */
  onBatch?: (batch: ReceivedBatch) => void;
  /** Closes the receiver when aborted; already aborted, listen() throws an AbortError. */
  signal?: AbortSignal;
}

/** What the kernel said about one datagram. */
export interface DatagramInfo {
  /** The datagram's real length, even when longer than `messageSize`. */
  length: number;
  truncated: boolean;
  /** Sender's pid/uid/gid as attested by the kernel; null unless `credentials`. */
  pid: number | null;
  uid: number | null;
  gid: number | null;
  /** The sender passed file descriptors; they were closed on arrival. */
  fdsClosed: boolean;
}

export interface ReceiverStats {
  datagrams: number;
  batches: number;
  truncated: number;
  fdsClosed: number;
}

/**
 * One recvmmsg() batch. Methods take the datagram's index (0 … count-1);
 * `bytes` is the shared receive buffer, slot i at `offset(i)`.
 */
export class ReceivedBatch {
  count = 0;
  readonly bytes: Uint8Array;
  readonly messageSize: number;
  readonly #meta: Int32Array;

  constructor(bytes: Uint8Array, meta: Int32Array, messageSize: number) {
    this.bytes = bytes;
    this.#meta = meta;
    this.messageSize = messageSize;
  }

  /** Real length of datagram i (may exceed `messageSize`: see `truncated`). */
  length(i: number): number {
    return this.#meta[i * FIELDS + LENGTH]!;
  }
  /** Bytes of datagram i present in the buffer. */
  storedLength(i: number): number {
    return Math.min(this.#meta[i * FIELDS + LENGTH]!, this.messageSize);
  }
  offset(i: number): number {
    return i * this.messageSize;
  }
  truncated(i: number): boolean {
    return (this.#meta[i * FIELDS + FLAGS]! & TRUNCATED) !== 0;
  }
  fdsClosed(i: number): boolean {
    return (this.#meta[i * FIELDS + FLAGS]! & FDS_CLOSED) !== 0;
  }
  /** Kernel-attested sender pid, or -1 without `credentials`. */
  pid(i: number): number {
    return this.#meta[i * FIELDS + PID]!;
  }
  uid(i: number): number {
    return this.#meta[i * FIELDS + UID]!;
  }
  gid(i: number): number {
    return this.#meta[i * FIELDS + GID]!;
  }
  /** A view of datagram i's stored bytes; only valid during the callback. */
  view(i: number): Uint8Array {
    const start = i * this.messageSize;
    return this.bytes.subarray(start, start + this.storedLength(i));
  }
  /** A copy of datagram i's stored bytes that may be kept. */
  copy(i: number): Buffer {
    return Buffer.from(this.view(i));
  }
  info(i: number): DatagramInfo {
    const pid = this.pid(i);
    return {
      length: this.length(i),
      truncated: this.truncated(i),
      pid: pid < 0 ? null : pid,
      uid: pid < 0 ? null : this.uid(i) >>> 0,
      gid: pid < 0 ? null : this.gid(i) >>> 0,
      fdsClosed: this.fdsClosed(i),
    };
  }
}

export interface DgramReceiverEvents {
  message: [data: Buffer, info: DatagramInfo];
  error: [err: NodeJS.ErrnoException];
  close: [];
  newListener: [event: string | symbol, listener: (...args: unknown[]) => void];
}

/**
 * A bound datagram socket. Listen with `on('message')` (a copy per datagram)
 * or pass `onBatch` (no allocation). Reading starts when either is present;
 * until then the kernel holds datagrams in its bounded queue. close()
 * removes the socket file, if it is still ours.
 */
export class DgramReceiver extends Resource<DgramReceiverEvents> {
  readonly path: string;
  readonly #handle: NativeDgramReceiver;
  readonly #batch: ReceivedBatch;
  readonly #onBatch: ((batch: ReceivedBatch) => void) | undefined;
  readonly #stats: ReceiverStats = { datagrams: 0, batches: 0, truncated: 0, fdsClosed: 0 };
  #paused = false;
  #reading = false;

  private constructor(path: string, options: DgramReceiverOptions) {
    super();
    this.path = path;
    const mode = checkInteger('mode', options.mode ?? 0o600, 0, 0o7777);
    const batchSize = checkInteger('batchSize', options.batchSize ?? 64, 1, 1024);
    const messageSize = checkInteger('messageSize', options.messageSize ?? 4096, 1, 1 << 20);
    if (options.onBatch !== undefined && typeof options.onBatch !== 'function') {
      throw invalidArg('onBatch', 'a function', options.onBatch);
    }
    // Checked before the socket is bound, so a bad size leaves no socket file behind.
    const receiveBufferSize =
      options.receiveBufferSize === undefined ? undefined : checkInteger('receiveBufferSize', options.receiveBufferSize, 1, 2 ** 31 - 1);
    this.#onBatch = options.onBatch;
    const signal = signalBeforeOpen(options.signal);
    this.#handle = new Native({
      path,
      mode,
      credentials: options.credentials === true,
      batchSize,
      messageSize,
      onBatch: (count) => this.#deliver(count),
      onError: (err) => this.emit('error', err),
    });
    this.#batch = new ReceivedBatch(this.#handle.data, this.#handle.meta, messageSize);
    if (receiveBufferSize !== undefined) this.receiveBufferSize = receiveBufferSize;
    this.on('newListener', (event) => {
      if (event === 'message') queueMicrotask(() => this.#startIfWanted());
    });
    if (this.#onBatch) this.#startIfWanted();
    this.closeOnAbort(signal);
  }

  /**
   * Binds a datagram socket at `path` (or `@name`). A stale socket file left by a dead
   * process is replaced; a path where a live socket answers is refused with
   * EADDRINUSE, and a non-socket file with EEXIST.
   */
  static listen(path: string, options: DgramReceiverOptions = {}): DgramReceiver {
    return new DgramReceiver(checkPath(path), checkOptions(options));
  }

  #startIfWanted(): void {
    if (this.closed || this.#paused || this.#reading) return;
    if (this.#onBatch === undefined && this.listenerCount('message') === 0) return;
    this.#handle.start();
    this.#reading = true;
  }

  #deliver(count: number): void {
    const batch = this.#batch;
    batch.count = count;
    const stats = this.#stats;
    stats.batches++;
    stats.datagrams += count;
    if (this.#onBatch) this.#onBatch(batch);
    if (this.listenerCount('message') > 0) {
      for (let i = 0; i < count && !this.closed; i++) {
        this.emit('message', batch.copy(i), batch.info(i));
      }
    }
  }

  /** Stops reading; datagrams wait in the kernel's queue (and overflow there). */
  pause(): this {
    this.#paused = true;
    if (this.#reading) this.#handle.stop();
    this.#reading = false;
    return this;
  }

  resume(): this {
    this.#paused = false;
    this.#startIfWanted();
    return this;
  }

  /** Counters since bind; `fdsClosed` counts descriptors senders passed in. */
  get stats(): Readonly<ReceiverStats> {
    if (!this.closed) this.#snapshotNativeCounters();
    return { ...this.#stats };
  }

  // Truncations and closed fds are counted by the addon, where they happen.
  #snapshotNativeCounters(): void {
    this.#stats.truncated = this.#handle.truncated;
    this.#stats.fdsClosed = this.#handle.fdsClosed;
  }

  get fd(): number {
    return this.#handle.fd;
  }

  get receiveBufferSize(): number {
    return this.#handle.receiveBufferSize;
  }

  set receiveBufferSize(bytes: number) {
    this.#handle.receiveBufferSize = checkInteger('receiveBufferSize', bytes, 1, 2 ** 31 - 1);
  }

  /** Let the receiver keep the process alive while reading (the default). */
  override ref(): this {
    this.#handle.ref();
    return this;
  }

  override unref(): this {
    this.#handle.unref();
    return this;
  }

  protected release(): void {
    this.#snapshotNativeCounters();
    this.#reading = false;
    this.#handle.close();
  }
}
