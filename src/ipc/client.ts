// IpcClient: the calling side of hostwire/ipc. One connection, requests
// multiplexed by id and answered in any order, a deadline on every step
// (connect, handshake, each request), cancellation sent to the server, and a
// bound on requests in flight: past it, request() waits for a slot.
import net from 'node:net';
import { checkInteger, checkOptions, checkPath, invalidArg } from '../common/args.js';
import { abortError } from '../common/errors.js';
import { Resource, signalBeforeOpen, type ResourceEvents } from '../common/lifecycle.js';
import { checkLogger, silentLogger, type Logger } from '../logger.js';
import { IpcError, IpcRemoteError } from './errors.js';
import { checkMaxFrameBytes, encodeFrame, FrameDecoder } from './framing.js';
import type { PeerCredentials } from './peer.js';
import { CANCEL_METHOD, HELLO_METHOD, parseMessage, PROTOCOL_VERSION, type RpcErrorObject } from './protocol.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface IpcClientOptions {
  /** Deadline to connect (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Deadline for the hello handshake (default 5000 ms). */
  handshakeTimeoutMs?: number;
  /** Default deadline of each request (default 30000 ms; 0 for none). */
  requestTimeoutMs?: number;
  /** Requests in flight at once (default 1024); past it, request() waits for a slot. */
  maxInFlight?: number;
  /** Largest frame accepted or sent (default 8 MiB). */
  maxFrameBytes?: number;
  logger?: Logger;
  /** Aborts the connect; once connected, closes the client. */
  signal?: AbortSignal;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** This request's deadline (0 for none); the client's requestTimeoutMs by default. */
  timeoutMs?: number;
}

/** What the server said of itself in the handshake. */
export interface ServerHello {
  version: number;
  methods: readonly string[];
  /** This client as the server's kernel saw it. */
  peer: PeerCredentials;
}

export interface IpcClientEvents extends ResourceEvents {
  /** A notification from the server. */
  notification: [method: string, params: unknown];
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

const closedError = (cause?: unknown): IpcError =>
  new IpcError('ERR_IPC_CLOSED', 'the IPC connection is closed', cause === undefined ? undefined : { cause });

function checkTimeout(name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : checkInteger(name, value, 0, MAX_TIMER_MS);
}

export class IpcClient extends Resource<IpcClientEvents> {
  readonly #socket: net.Socket;
  readonly #decoder: FrameDecoder;
  readonly #maxFrameBytes: number;
  readonly #maxInFlight: number;
  readonly #requestTimeoutMs: number;
  readonly #logger: Logger;
  readonly #pending = new Map<number, Pending>();
  readonly #waiters: Waiter[] = [];
  #nextId = 1;
  #closeCause: unknown;
  #hello: ServerHello | undefined;

  private constructor(
    socket: net.Socket,
    options: Required<Pick<IpcClientOptions, 'maxFrameBytes' | 'maxInFlight' | 'requestTimeoutMs'>> & { logger: Logger },
  ) {
    super();
    this.#socket = socket;
    this.#maxFrameBytes = options.maxFrameBytes;
    this.#maxInFlight = options.maxInFlight;
    this.#requestTimeoutMs = options.requestTimeoutMs;
    this.#logger = options.logger;
    this.#decoder = new FrameDecoder((body) => this.#onFrame(body), this.#maxFrameBytes);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#decoder.push(chunk);
      } catch (err) {
        this.#fail(err);
      }
    });
    socket.on('end', () => {
      try {
        this.#decoder.end();
      } catch (err) {
        this.#fail(err);
      }
      this.#fail(undefined);
    });
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(undefined));
  }

  /** Connects to an IpcServer at `path` and completes the hello handshake. */
  static async connect(path: string, options?: IpcClientOptions): Promise<IpcClient> {
    checkPath(path);
    const opts = checkOptions(options);
    const signal = signalBeforeOpen(opts.signal);
    const connectTimeoutMs = checkTimeout('connectTimeoutMs', opts.connectTimeoutMs, 5000);
    const handshakeTimeoutMs = checkTimeout('handshakeTimeoutMs', opts.handshakeTimeoutMs, 5000);
    const config = {
      requestTimeoutMs: checkTimeout('requestTimeoutMs', opts.requestTimeoutMs, 30_000),
      maxInFlight: opts.maxInFlight === undefined ? 1024 : checkInteger('maxInFlight', opts.maxInFlight, 1, 1 << 20),
      maxFrameBytes: checkMaxFrameBytes(opts.maxFrameBytes),
      logger: opts.logger === undefined ? silentLogger : checkLogger(opts.logger),
    };

    const socket = net.connect(path.startsWith('@') ? `\0${path.slice(1)}` : path);
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.off('connect', onConnect);
        socket.off('error', done);
        if (err === undefined) resolve();
        else {
          socket.destroy();
          reject(err);
        }
      };
      const onConnect = (): void => done();
      const onAbort = (): void => done(abortError(signal!));
      const timer =
        connectTimeoutMs === 0
          ? undefined
          : setTimeout(
              () => done(new IpcError('ERR_IPC_TIMEOUT', `connect to ${path} took longer than ${connectTimeoutMs} ms`)),
              connectTimeoutMs,
            );
      socket.once('connect', onConnect);
      socket.once('error', done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

    const client = new IpcClient(socket, config);
    try {
      const hello = await client.request<ServerHello | null>(
        HELLO_METHOD,
        { version: PROTOCOL_VERSION },
        { signal, timeoutMs: handshakeTimeoutMs },
      );
      if (hello === null || typeof hello !== 'object' || hello.version !== PROTOCOL_VERSION) {
        throw new IpcError(
          'ERR_IPC_VERSION',
          `the server speaks protocol version ${JSON.stringify(hello?.version)}, not ${PROTOCOL_VERSION}`,
        );
      }
      client.#hello = Object.freeze({
        version: hello.version,
        methods: Object.freeze([...hello.methods]),
        peer: Object.freeze({ ...hello.peer }),
      });
    } catch (err) {
      client.close();
      if (err instanceof IpcRemoteError && err.code === 'ERR_IPC_VERSION')
        throw new IpcError('ERR_IPC_VERSION', err.message, { cause: err });
      if (err instanceof IpcError && err.code === 'ERR_IPC_TIMEOUT')
        throw new IpcError('ERR_IPC_TIMEOUT', `handshake with ${path} took longer than ${handshakeTimeoutMs} ms`);
      throw err;
    }
    client.closeOnAbort(signal);
    return client;
  }

  /** The server's handshake answer: its version, methods, and this client's credentials as it saw them. */
  get server(): ServerHello {
    return this.#hello!;
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /**
   * Calls `method`. Rejects with the server's error (IpcRemoteError, `code`
   * the server's ERR_…), ERR_IPC_TIMEOUT past the deadline, an AbortError on
   * abort (both also cancel it on the server), ERR_IPC_CLOSED on close.
   */
  async request<T = unknown>(method: string, params?: unknown, options?: RequestOptions): Promise<T> {
    if (typeof method !== 'string') throw invalidArg('method', 'a string', method);
    const opts = checkOptions(options);
    const signal = signalBeforeOpen(opts.signal);
    const timeoutMs = checkTimeout('timeoutMs', opts.timeoutMs, this.#requestTimeoutMs);
    if (this.closed) throw closedError(this.#closeCause);
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0x7fff_ffff ? 1 : this.#nextId + 1;
    // Encoded before waiting for a slot: a message that cannot be sent never takes one.
    const frame = encodeFrame(
      params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params },
      this.#maxFrameBytes,
    );
    if (this.#pending.size >= this.#maxInFlight) await this.#slot(signal);
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { resolve, reject, timer: undefined, signal, onAbort: undefined };
      if (timeoutMs > 0) {
        pending.timer = setTimeout(
          () => this.#cancel(id, new IpcError('ERR_IPC_TIMEOUT', `${method} took longer than ${timeoutMs} ms`)),
          timeoutMs,
        );
        pending.timer.unref();
      }
      if (signal !== undefined) {
        pending.onAbort = () => this.#cancel(id, abortError(signal));
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.#pending.set(id, pending);
      this.#socket.write(frame);
    });
  }

  /** Sends a notification (no answer). */
  notify(method: string, params?: unknown): void {
    if (typeof method !== 'string') throw invalidArg('method', 'a string', method);
    if (this.closed) throw closedError(this.#closeCause);
    this.#socket.write(
      encodeFrame(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params }, this.#maxFrameBytes),
    );
  }

  override ref(): this {
    this.#socket.ref();
    return this;
  }

  override unref(): this {
    this.#socket.unref();
    return this;
  }

  protected release(): void {
    this.#socket.destroy();
    const err = closedError(this.#closeCause);
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(err);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(err);
  }

  /** Waits until fewer than maxInFlight requests are in flight. */
  #slot(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Removes a pending request and frees its slot; the entry, if it was still pending. */
  #settle(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (pending === undefined) return undefined;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (pending.onAbort !== undefined) pending.signal!.removeEventListener('abort', pending.onAbort);
    if (!this.closed) this.#waiters.shift()?.resolve();
    return pending;
  }

  /** Gives up on a request: tells the server, rejects the caller. */
  #cancel(id: number, err: Error): void {
    const pending = this.#settle(id);
    if (pending === undefined) return;
    if (!this.closed) this.#socket.write(encodeFrame({ jsonrpc: '2.0', method: CANCEL_METHOD, params: { id } }, this.#maxFrameBytes));
    pending.reject(err);
  }

  #fail(err: unknown): void {
    if (this.closed) return;
    if (err !== undefined) this.#logger.warn({ err }, 'ipc connection failed');
    this.#closeCause = err;
    this.close();
  }

  #onFrame(body: Buffer): void {
    const message = parseMessage(body);
    switch (message.kind) {
      case 'response': {
        if (message.id === null) {
          // The server could not read one of our messages: nothing to settle, but worth knowing.
          this.#logger.warn({ error: message.error }, 'ipc server reported an error without an id');
          return;
        }
        const pending = typeof message.id === 'number' ? this.#settle(message.id) : undefined;
        if (pending === undefined) return; // cancelled or timed out: the late answer is dropped
        if (message.error === undefined) pending.resolve(message.result);
        else pending.reject(remoteError(message.error));
        return;
      }
      case 'notification':
        this.emit('notification', message.method, message.params);
        return;
      case 'request':
        this.#socket.write(
          encodeFrame(
            { jsonrpc: '2.0', id: message.id, error: { code: -32601, message: `Method not found: ${message.method}` } },
            this.#maxFrameBytes,
          ),
        );
        return;
      case 'invalid':
        this.#fail(new IpcError('ERR_IPC_PROTOCOL', `the server sent an invalid message: ${message.error.message}`));
    }
  }
}

function remoteError(error: RpcErrorObject): IpcRemoteError {
  return new IpcRemoteError(error.code, error.message, error.data);
}
