// IpcServer: JSON-RPC 2.0 over framed Unix stream connections. Each method
// has a zod schema for its params; a handler gets the parsed params, an
// AbortSignal (aborted by `$/cancelRequest` or when the connection goes) and
// the peer's credentials from the kernel. A malformed message is answered
// with an error and the connection stays up; only a broken frame closes it.
import { randomBytes } from 'node:crypto';
import { statSync, unlinkSync } from 'node:fs';
import { chmod, lstat, mkdtemp, rename, rmdir, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { z } from 'zod';
import { checkFunction, checkInteger, checkObject, checkOptions, checkPath, invalidValue } from '../common/args.js';
import { systemError } from '../common/errors.js';
import { AsyncCloseResource, signalBeforeOpen, type ResourceEvents } from '../common/lifecycle.js';
import { checkLogger, silentLogger, type Logger } from '../logger.js';
import { IpcError, RpcErrorCode } from './errors.js';
import { checkMaxFrameBytes, encodeFrame, FrameDecoder } from './framing.js';
import { socketPeer, type PeerCredentials } from './peer.js';
import { CANCEL_METHOD, HELLO_METHOD, parseMessage, PROTOCOL_VERSION, type RpcErrorObject, type RpcId } from './protocol.js';

export interface MethodContext<P> {
  /** The params, as the method's schema parsed them. */
  params: P;
  /** Aborted when the client cancels the request or the connection closes. */
  signal: AbortSignal;
  /** The client process, from SO_PEERCRED. */
  peer: PeerCredentials;
  /** Sends a notification to this client. */
  notify: (method: string, params?: unknown) => void;
}

export interface MethodDefinition<S extends z.ZodType = z.ZodType> {
  params: S;
  /** Returns the result (or a promise of it). An error with a string `code` reaches the client as that code. */
  handler(context: MethodContext<z.output<S>>): unknown;
}

/** A method, with the handler's params typed by the schema. */
export function defineMethod<S extends z.ZodType>(
  params: S,
  handler: (context: MethodContext<z.output<S>>) => unknown,
): MethodDefinition<S> {
  return { params, handler };
}

export interface IpcServerOptions {
  /** The methods served, by name. */
  methods: Record<string, MethodDefinition>;
  /** Mode of the socket file (default 0o600). Set before the socket appears at `path`. */
  mode?: number;
  /** Requests one connection may have running at once (default 16); more wait, and the connection is not read meanwhile. */
  maxConcurrent?: number;
  /**
   * How long a client may leave its replies unread (default 30000 ms; 0 for
   * no limit). While replies are backed up the connection is not read; past
   * this deadline it is closed.
   */
  writeTimeoutMs?: number;
  /** Largest frame accepted or sent (default 8 MiB). */
  maxFrameBytes?: number;
  /** Accepts or refuses a connection by its peer; a refused connection is closed at once. */
  authorize?: (peer: PeerCredentials) => boolean;
  logger?: Logger;
  /** Closes the server when aborted; an already-aborted signal refuses to listen. */
  signal?: AbortSignal;
}

export type IpcServerEvents = ResourceEvents;

const MAX_CONCURRENT_LIMIT = 65_536;

/** Whether something answers on `socketPath`: a live server is never replaced. */
async function probe(socketPath: string): Promise<'absent' | 'stale'> {
  let info;
  try {
    info = await lstat(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  }
  if (!info.isSocket()) {
    throw systemError({ code: 'EADDRINUSE', syscall: 'listen', path: socketPath, detail: 'a file that is not a socket is at this path' });
  }
  const live = await new Promise<boolean>((resolve, reject) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve(false);
      else reject(err);
    });
  });
  if (live)
    throw systemError({ code: 'EADDRINUSE', syscall: 'listen', path: socketPath, detail: 'a live server already answers on this path' });
  return 'stale';
}

export class IpcServer extends AsyncCloseResource<IpcServerEvents> {
  readonly path: string;
  readonly #server: net.Server;
  readonly #ino: number;
  readonly #connections = new Set<Connection>();

  private constructor(socketPath: string, server: net.Server, ino: number, config: ServerConfig) {
    super();
    this.path = socketPath;
    this.#server = server;
    this.#ino = ino;
    server.on('connection', (socket) => {
      const connection = Connection.accept(socket, config);
      if (connection === null) return;
      this.#connections.add(connection);
      socket.once('close', () => this.#connections.delete(connection));
    });
  }

  /**
   * Listens on `path`. A live server already there is EADDRINUSE (never
   * taken over); a stale socket file is replaced. The socket is bound inside
   * a fresh private (0700) directory next to `path`, given its mode there and
   * then renamed into place, so it is never reachable with a wider mode.
   * (The process umask is not touched: it is process-wide.)
   */
  static async listen(socketPath: string, options: IpcServerOptions): Promise<IpcServer> {
    checkPath(socketPath);
    if (socketPath.startsWith('@')) throw invalidValue('path', 'a socket file path (abstract names are not supported)', socketPath);
    checkObject(options, 'options');
    const config = checkConfig(options);
    const signal = signalBeforeOpen(options.signal);
    const mode = options.mode === undefined ? 0o600 : checkInteger('mode', options.mode, 0, 0o777);

    await probe(socketPath);
    const dir = await mkdtemp(path.join(path.dirname(socketPath), `.hostwire-ipc-${randomBytes(3).toString('hex')}-`));
    const bound = path.join(dir, 's');
    const server = net.createServer({ pauseOnConnect: false });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(bound, () => {
          server.off('error', reject);
          resolve();
        });
      });
      await chmod(bound, mode);
      await rename(bound, socketPath);
    } catch (err) {
      server.close();
      throw err;
    } finally {
      await rmdir(dir).catch(() => {});
    }
    const { ino } = await stat(socketPath);
    const ipc = new IpcServer(socketPath, server, ino, config);
    server.on('error', (err) => config.logger.error({ err }, 'ipc server error'));
    ipc.closeOnAbort(signal);
    return ipc;
  }

  /** Connections open now. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  override ref(): this {
    this.#server.ref();
    return this;
  }

  override unref(): this {
    this.#server.unref();
    return this;
  }

  protected async release(): Promise<void> {
    // The file first, synchronously (two small syscalls): once close() has
    // returned no new client can find this server. Only if it is still ours,
    // not a successor's.
    try {
      if (statSync(this.path).ino === this.#ino) unlinkSync(this.path);
    } catch {
      // already gone
    }
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of this.#connections) connection.destroy();
    await closed;
  }
}

interface ServerConfig {
  methods: Map<string, MethodDefinition>;
  maxConcurrent: number;
  maxFrameBytes: number;
  writeTimeoutMs: number;
  authorize: ((peer: PeerCredentials) => boolean) | undefined;
  logger: Logger;
}

function checkConfig(options: IpcServerOptions): ServerConfig {
  const methods = new Map<string, MethodDefinition>();
  checkObject(options.methods, 'methods');
  for (const [name, definition] of Object.entries(options.methods)) {
    checkOptions(definition, `methods.${name}`);
    if (name === HELLO_METHOD || name.startsWith('$/')) throw invalidValue(`methods.${name}`, 'a name not reserved by the protocol', name);
    const schema = definition.params as { safeParse?: unknown } | undefined;
    if (typeof schema?.safeParse !== 'function') throw invalidValue(`methods.${name}.params`, 'a zod schema', definition.params);
    checkFunction(`methods.${name}.handler`, (definition as { handler?: unknown }).handler);
    methods.set(name, definition);
  }
  return {
    methods,
    maxConcurrent: options.maxConcurrent === undefined ? 16 : checkInteger('maxConcurrent', options.maxConcurrent, 1, MAX_CONCURRENT_LIMIT),
    maxFrameBytes: checkMaxFrameBytes(options.maxFrameBytes),
    writeTimeoutMs: options.writeTimeoutMs === undefined ? 30_000 : checkInteger('writeTimeoutMs', options.writeTimeoutMs, 0, 2 ** 31 - 1),
    authorize:
      options.authorize === undefined ? undefined : checkFunction<(peer: PeerCredentials) => boolean>('authorize', options.authorize),
    logger: options.logger === undefined ? silentLogger : checkLogger(options.logger),
  };
}

interface QueuedRequest {
  id: RpcId;
  method: string;
  params: unknown;
}

const APP_CODE = /^(ERR_[A-Z0-9_]+|E[A-Z0-9]+|ABORT_ERR)$/;

/** One accepted connection: decodes, dispatches with a concurrency limit, replies. */
class Connection {
  readonly #socket: net.Socket;
  readonly #peer: PeerCredentials;
  readonly #config: ServerConfig;
  readonly #decoder: FrameDecoder;
  readonly #running = new Map<RpcId, AbortController>();
  readonly #waiting: QueuedRequest[] = [];
  #greeted = false;
  #destroyed = false;
  /** Set while replies are backed up (write() returned false): the slow-client deadline. */
  #writeTimer: NodeJS.Timeout | undefined;
  #writeBlocked = false;
  readonly #notify = (method: string, params?: unknown): void => this.#send({ jsonrpc: '2.0', method, params });

  static accept(socket: net.Socket, config: ServerConfig): Connection | null {
    let peer: PeerCredentials;
    try {
      peer = socketPeer(socket);
    } catch (err) {
      config.logger.error({ err }, 'ipc connection without credentials: closed');
      socket.destroy();
      return null;
    }
    if (config.authorize !== undefined) {
      let allowed = false;
      try {
        allowed = config.authorize(peer) === true;
      } catch (err) {
        config.logger.error({ err, peer }, 'ipc authorize threw: connection refused');
      }
      if (!allowed) {
        config.logger.warn({ peer }, 'ipc connection refused');
        socket.destroy();
        return null;
      }
    }
    return new Connection(socket, peer, config);
  }

  private constructor(socket: net.Socket, peer: PeerCredentials, config: ServerConfig) {
    this.#socket = socket;
    this.#peer = peer;
    this.#config = config;
    this.#decoder = new FrameDecoder((body) => this.#onFrame(body), config.maxFrameBytes);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#decoder.push(chunk);
      } catch (err) {
        this.#broken(err as IpcError);
      }
    });
    socket.on('end', () => {
      try {
        this.#decoder.end();
      } catch (err) {
        config.logger.warn({ err, peer }, 'ipc client ended inside a frame');
      }
      socket.end();
    });
    socket.on('error', (err) => config.logger.debug({ err, peer }, 'ipc connection error'));
    socket.on('close', () => this.#teardown());
  }

  destroy(): void {
    this.#socket.destroy();
    this.#teardown();
  }

  #teardown(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#waiting.length = 0;
    clearTimeout(this.#writeTimer);
    this.#socket.off('drain', this.#onDrain);
    for (const controller of this.#running.values()) controller.abort(new IpcError('ERR_IPC_CLOSED', 'the connection closed'));
    this.#running.clear();
  }

  /** A frame over the cap: the stream cannot continue. Say why, then close. */
  #broken(err: IpcError): void {
    this.#config.logger.warn({ err, peer: this.#peer }, 'ipc frame refused: closing the connection');
    this.#reply(null, { code: RpcErrorCode.invalidRequest, message: err.message, data: { code: err.code } });
    this.#socket.end();
    this.#teardown();
  }

  #send(message: object): void {
    if (this.#destroyed || !this.#socket.writable) return;
    if (this.#socket.write(encodeFrame(message, this.#config.maxFrameBytes)) || this.#writeBlocked) return;
    // The client is not reading its replies: stop reading its requests, and give it a deadline.
    this.#writeBlocked = true;
    this.#socket.pause();
    this.#socket.once('drain', this.#onDrain);
    if (this.#config.writeTimeoutMs > 0) {
      this.#writeTimer = setTimeout(() => {
        this.#config.logger.warn({ peer: this.#peer }, 'ipc client left its replies unread past the deadline: closing');
        this.destroy();
      }, this.#config.writeTimeoutMs);
    }
  }

  readonly #onDrain = (): void => {
    this.#writeBlocked = false;
    clearTimeout(this.#writeTimer);
    this.#writeTimer = undefined;
    this.#pump();
  };

  #resumeReading(): void {
    if (!this.#destroyed && !this.#writeBlocked && this.#waiting.length === 0) this.#socket.resume();
  }

  #reply(id: RpcId | null, error: RpcErrorObject): void {
    this.#send({ jsonrpc: '2.0', id, error });
  }

  #onFrame(body: Buffer): void {
    if (this.#destroyed) return;
    const message = parseMessage(body);
    switch (message.kind) {
      case 'invalid':
        this.#reply(message.id, message.error);
        return;
      case 'response':
        // The server sends no requests: nothing waits for a response.
        this.#config.logger.debug({ id: message.id, peer: this.#peer }, 'ipc response with no request: ignored');
        return;
      case 'notification':
        this.#onNotification(message.method, message.params);
        return;
      case 'request':
        if (this.#running.has(message.id) || this.#waiting.some((r) => r.id === message.id)) {
          this.#reply(message.id, { code: RpcErrorCode.invalidRequest, message: 'Invalid Request: this id is already in use' });
          return;
        }
        if (this.#running.size >= this.#config.maxConcurrent) {
          // Stop reading until a slot frees: the queue holds at most what one read delivered.
          this.#waiting.push(message);
          this.#socket.pause();
          return;
        }
        void this.#run(message);
    }
  }

  #onNotification(method: string, params: unknown): void {
    if (method === CANCEL_METHOD) {
      const id = (params as { id?: unknown } | null)?.id;
      if (typeof id === 'number' || typeof id === 'string') {
        this.#running.get(id)?.abort(new IpcError('ERR_IPC_CLOSED', 'the client cancelled the request'));
        const at = this.#waiting.findIndex((r) => r.id === id);
        if (at >= 0) this.#waiting.splice(at, 1);
      }
      return;
    }
    const definition = this.#config.methods.get(method);
    if (definition === undefined || !this.#greeted) return;
    const parsed = definition.params.safeParse(params);
    if (!parsed.success) return;
    const controller = new AbortController();
    Promise.resolve()
      .then(() => definition.handler({ params: parsed.data, signal: controller.signal, peer: this.#peer, notify: this.#notify }))
      .catch((err: unknown) => this.#config.logger.warn({ err, method, peer: this.#peer }, 'ipc notification handler failed'));
  }

  async #run(request: QueuedRequest): Promise<void> {
    const controller = new AbortController();
    this.#running.set(request.id, controller);
    let reply: object;
    try {
      reply = { jsonrpc: '2.0', id: request.id, result: (await this.#dispatch(request, controller.signal)) ?? null };
    } catch (err) {
      reply = { jsonrpc: '2.0', id: request.id, error: this.#errorObject(err, request.method) };
    }
    if (this.#running.get(request.id) !== controller) return; // the connection closed meanwhile
    this.#running.delete(request.id);
    try {
      this.#send(reply);
    } catch (err) {
      // The result has no JSON form or is over the frame cap: the handler's fault, not the client's.
      this.#config.logger.error({ err, method: request.method, peer: this.#peer }, 'ipc result cannot be sent');
      this.#reply(request.id, { code: RpcErrorCode.internalError, message: 'Internal error: the result cannot be sent' });
    }
    this.#pump();
  }

  /** Starts waiting requests while there is room and the client reads its replies; then reads again. */
  #pump(): void {
    while (!this.#destroyed && !this.#writeBlocked && this.#running.size < this.#config.maxConcurrent) {
      const next = this.#waiting.shift();
      if (next === undefined) break;
      void this.#run(next);
    }
    this.#resumeReading();
  }

  async #dispatch(request: QueuedRequest, signal: AbortSignal): Promise<unknown> {
    if (request.method === HELLO_METHOD) return this.#hello(request.params);
    if (!this.#greeted) {
      throw rpcError(RpcErrorCode.applicationError, `${HELLO_METHOD} must come first`, { code: 'ERR_IPC_PROTOCOL' });
    }
    const definition = this.#config.methods.get(request.method);
    if (definition === undefined) throw rpcError(RpcErrorCode.methodNotFound, `Method not found: ${request.method}`);
    const parsed = definition.params.safeParse(request.params);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({
        path: issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)),
        message: issue.message,
      }));
      const first = issues[0];
      const where = first === undefined || first.path.length === 0 ? 'params' : `params.${first.path.join('.')}`;
      throw rpcError(RpcErrorCode.invalidParams, `Invalid params: ${where}: ${first?.message ?? 'invalid'}`, {
        path: first?.path ?? [],
        issues,
      });
    }
    return definition.handler({ params: parsed.data, signal, peer: this.#peer, notify: this.#notify });
  }

  #hello(params: unknown): unknown {
    const version = (params as { version?: unknown } | null | undefined)?.version;
    if (version !== PROTOCOL_VERSION) {
      throw rpcError(RpcErrorCode.applicationError, `unsupported protocol version ${JSON.stringify(version)}`, {
        code: 'ERR_IPC_VERSION',
        supported: [PROTOCOL_VERSION],
      });
    }
    this.#greeted = true;
    return { version: PROTOCOL_VERSION, methods: [...this.#config.methods.keys()], peer: this.#peer };
  }

  #errorObject(err: unknown, method: string): RpcErrorObject {
    if (err instanceof RpcFailure) return err.error;
    const code = (err as { code?: unknown } | null)?.code;
    if (err instanceof Error && typeof code === 'string' && APP_CODE.test(code)) {
      return { code: RpcErrorCode.applicationError, message: err.message, data: { code } };
    }
    this.#config.logger.error({ err, method, peer: this.#peer }, 'ipc handler failed');
    return { code: RpcErrorCode.internalError, message: 'Internal error' };
  }
}

/** A JSON-RPC error decided by the server itself (not a handler's). */
class RpcFailure extends Error {
  constructor(readonly error: RpcErrorObject) {
    super(error.message);
  }
}

function rpcError(code: number, message: string, data?: unknown): RpcFailure {
  return new RpcFailure(data === undefined ? { code, message } : { code, message, data });
}
