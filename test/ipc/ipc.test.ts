// IpcServer and IpcClient over real Unix stream sockets: the handshake, the
// JSON-RPC error codes, cancellation and deadlines, the concurrency bounds on
// both sides, socket-file safety, and peer credentials from the kernel.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { makeError } from '../../src/common/errors.js';
import { encodeFrame, FrameDecoder } from '../../src/ipc/framing.js';
import { defineMethod, IpcClient, IpcServer, type IpcServerOptions } from '../../src/ipc/index.js';
import { itAsRoot } from '../helpers/root.js';
import { tempDir } from '../helpers/tmp.js';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const resource of open.splice(0).reverse()) await resource.close();
});

/** Resolves when `signal` aborts. */
const aborted = (signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

function methods(extra: IpcServerOptions['methods'] = {}): IpcServerOptions['methods'] {
  return {
    echo: defineMethod(z.object({ text: z.string() }), ({ params }) => params),
    sleep: defineMethod(z.object({ ms: z.number().int().min(0) }), async ({ params, signal }) => {
      await new Promise((resolve) => setTimeout(resolve, params.ms));
      return { slept: params.ms, aborted: signal.aborted };
    }),
    whoami: defineMethod(z.unknown(), ({ peer }) => peer),
    fail: defineMethod(z.object({ coded: z.boolean() }), ({ params }) => {
      throw params.coded ? makeError(Error, 'ERR_THING_REFUSED', 'no thing today') : new Error('secret internals');
    }),
    ...extra,
  };
}

async function serve(options: Partial<IpcServerOptions> = {}): Promise<{ server: IpcServer; socketPath: string; dir: string }> {
  const dir = tempDir('hostwire-ipc-');
  const socketPath = path.join(dir, 'rpc.sock');
  const server = await IpcServer.listen(socketPath, { methods: methods(), ...options });
  open.push(server);
  return { server, socketPath, dir };
}

async function connect(socketPath: string, options = {}): Promise<IpcClient> {
  const client = await IpcClient.connect(socketPath, options);
  open.push(client);
  return client;
}

/** A raw connection speaking frames directly: what a broken or hostile client sends. */
async function raw(socketPath: string) {
  const socket = net.connect(socketPath);
  await once(socket, 'connect');
  const replies: unknown[] = [];
  const waiters: (() => void)[] = [];
  const decoder = new FrameDecoder((body) => {
    replies.push(JSON.parse(body.toString('utf8')));
    waiters.splice(0).forEach((w) => w());
  });
  socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  const closed = once(socket, 'close');
  open.push({ close: () => socket.destroy() });
  return {
    socket,
    closed,
    sendBytes(bytes: Uint8Array) {
      const frame = Buffer.alloc(4 + bytes.length);
      frame.writeUInt32LE(bytes.length, 0);
      frame.set(bytes, 4);
      socket.write(frame);
    },
    send(message: unknown) {
      socket.write(encodeFrame(message));
    },
    async next(): Promise<unknown> {
      while (replies.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
      return replies.shift();
    },
  };
}

describe('IpcServer and IpcClient', () => {
  it('handshakes, then calls a method', async () => {
    const { socketPath } = await serve();
    const client = await connect(socketPath);
    expect(client.server.version).toBe(1);
    expect(client.server.methods).toEqual(['echo', 'sleep', 'whoami', 'fail']);
    expect(client.server.peer).toEqual({ pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
    await expect(client.request('echo', { text: 'héllo' })).resolves.toEqual({ text: 'héllo' });
  });

  it('matches responses that come back in another order', async () => {
    const { socketPath } = await serve();
    const client = await connect(socketPath);
    const order: number[] = [];
    const delays = [120, 10, 60, 0];
    const results = await Promise.all(
      delays.map((ms) =>
        client.request<{ slept: number }>('sleep', { ms }).then((r) => {
          order.push(ms);
          return r.slept;
        }),
      ),
    );
    expect(results).toEqual(delays);
    expect(order).not.toEqual(delays); // they did come back out of order
  });

  it('invalid params: -32602 with the failing path, and the connection stays up', async () => {
    const { socketPath } = await serve();
    const client = await connect(socketPath);
    const err = await client.request('echo', { text: 5 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'IpcRemoteError', code: 'ERR_IPC_INVALID_PARAMS', rpcCode: -32602, data: { path: ['text'] } });
    await expect(client.request('echo', { text: 'still here' })).resolves.toEqual({ text: 'still here' });
  });

  it('unknown method -32601; application error -32000 with its code; internal error -32603 without details', async () => {
    const { socketPath } = await serve();
    const client = await connect(socketPath);
    await expect(client.request('nope')).rejects.toMatchObject({ code: 'ERR_IPC_METHOD_NOT_FOUND', rpcCode: -32601 });
    await expect(client.request('fail', { coded: true })).rejects.toMatchObject({
      code: 'ERR_THING_REFUSED',
      rpcCode: -32000,
      message: 'no thing today',
      data: { code: 'ERR_THING_REFUSED' },
    });
    const internal = (await client.request('fail', { coded: false }).catch((e: unknown) => e)) as Error;
    expect(internal).toMatchObject({ code: 'ERR_IPC_INTERNAL', rpcCode: -32603, message: 'Internal error' });
  });

  it('a result that cannot be sent (no JSON form, over the frame cap) is -32603, and the connection stays up', async () => {
    const { socketPath } = await serve({
      maxFrameBytes: 4096,
      methods: methods({
        bigint: defineMethod(z.object({}), () => 1n),
        huge: defineMethod(z.object({}), () => 'x'.repeat(5000)),
      }),
    });
    const client = await connect(socketPath);
    await expect(client.request('bigint', {})).rejects.toMatchObject({ code: 'ERR_IPC_INTERNAL', rpcCode: -32603 });
    await expect(client.request('huge', {})).rejects.toMatchObject({ code: 'ERR_IPC_INTERNAL', rpcCode: -32603 });
    await expect(client.request('echo', { text: 'fine' })).resolves.toEqual({ text: 'fine' });
  });

  it('answers malformed messages with errors and keeps the connection; a frame over the cap closes it', async () => {
    const { socketPath } = await serve({ maxFrameBytes: 1024 });
    const conn = await raw(socketPath);
    conn.sendBytes(Buffer.from('{not json'));
    expect(await conn.next()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    conn.sendBytes(Buffer.from([0xff, 0xfe])); // not UTF-8
    expect(await conn.next()).toMatchObject({ id: null, error: { code: -32700 } });
    conn.send([{ jsonrpc: '2.0', id: 1, method: 'echo' }]);
    expect(await conn.next()).toMatchObject({ id: null, error: { code: -32600 } });
    conn.send({ jsonrpc: '1.0', id: 7, method: 'echo' });
    expect(await conn.next()).toMatchObject({ id: 7, error: { code: -32600 } });
    conn.send({ jsonrpc: '2.0', id: 8, method: 'echo', params: { text: 'x' } });
    expect(await conn.next()).toMatchObject({ id: 8, error: { code: -32000, data: { code: 'ERR_IPC_PROTOCOL' } } }); // hello first
    conn.send({ jsonrpc: '2.0', id: 9, method: 'hostwire.hello', params: { version: 2 } });
    expect(await conn.next()).toMatchObject({ id: 9, error: { code: -32000, data: { code: 'ERR_IPC_VERSION', supported: [1] } } });
    conn.send({ jsonrpc: '2.0', id: 10, method: 'hostwire.hello', params: { version: 1 } });
    expect(await conn.next()).toMatchObject({ id: 10, result: { version: 1 } });
    conn.send({ jsonrpc: '2.0', id: 11, method: 'echo', params: { text: 'ok' } });
    expect(await conn.next()).toEqual({ jsonrpc: '2.0', id: 11, result: { text: 'ok' } });
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32LE(1025, 0);
    conn.socket.write(prefix);
    expect(await conn.next()).toMatchObject({ id: null, error: { data: { code: 'ERR_IPC_FRAME_TOO_LARGE' } } });
    await conn.closed;
  });

  it('abort cancels on the server too and rejects with AbortError', async () => {
    let cancelled: Promise<void> | undefined;
    const { socketPath } = await serve({
      methods: methods({
        hang: defineMethod(z.unknown(), ({ signal }) => {
          cancelled = aborted(signal);
          return new Promise(() => {});
        }),
      }),
    });
    const client = await connect(socketPath);
    const controller = new AbortController();
    const call = client.request('hang', {}, { signal: controller.signal });
    await expect.poll(() => cancelled !== undefined).toBe(true);
    controller.abort('enough');
    await expect(call).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: 'enough' });
    await cancelled; // the handler's signal fired
    expect(client.inFlight).toBe(0);
  });

  it('a request past its deadline is ERR_IPC_TIMEOUT and is cancelled on the server', async () => {
    let cancelled: Promise<void> | undefined;
    const { socketPath } = await serve({
      methods: methods({
        hang: defineMethod(z.unknown(), ({ signal }) => {
          cancelled = aborted(signal);
          return new Promise(() => {});
        }),
      }),
    });
    const client = await connect(socketPath, { requestTimeoutMs: 50 });
    await expect(client.request('hang')).rejects.toMatchObject({ code: 'ERR_IPC_TIMEOUT' });
    await cancelled;
    // A per-call deadline overrides the default.
    await expect(client.request('sleep', { ms: 100 }, { timeoutMs: 0 })).resolves.toMatchObject({ slept: 100 });
  });

  it('runs at most maxConcurrent requests of a connection at once; the rest wait and all finish', async () => {
    let running = 0;
    let peak = 0;
    const { socketPath } = await serve({
      maxConcurrent: 2,
      methods: methods({
        work: defineMethod(z.object({ n: z.number() }), async ({ params }) => {
          peak = Math.max(peak, ++running);
          await new Promise((resolve) => setTimeout(resolve, 20));
          running--;
          return params.n * 2;
        }),
      }),
    });
    const client = await connect(socketPath);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => client.request('work', { n: i })));
    expect(results).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    expect(peak).toBe(2);
  });

  it('keeps at most maxInFlight requests in flight; the rest wait for a slot', async () => {
    let running = 0;
    let peak = 0;
    const { socketPath } = await serve({
      methods: methods({
        work: defineMethod(z.object({ ms: z.number() }), async ({ params }) => {
          peak = Math.max(peak, ++running);
          await new Promise((resolve) => setTimeout(resolve, params.ms));
          running--;
          return 'done';
        }),
      }),
    });
    const client = await connect(socketPath, { maxInFlight: 2 });
    const calls = Array.from({ length: 6 }, () => client.request('work', { ms: 10 }));
    expect(client.inFlight).toBe(2); // two sent at once, four waiting
    expect(await Promise.all(calls)).toEqual(Array(6).fill('done'));
    expect(peak).toBe(2); // the server (16 at once allowed) never saw more than two
    // A request waiting for a slot can be aborted before it is sent.
    const blockers = [client.request('work', { ms: 50 }), client.request('work', { ms: 50 })];
    const controller = new AbortController();
    const waiting = client.request('echo', { text: 'x' }, { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORT_ERR' });
    await Promise.all(blockers);
  });

  it('close rejects what is pending with ERR_IPC_CLOSED; so does the server going away', async () => {
    const { server, socketPath } = await serve();
    const client = await connect(socketPath);
    const pending = client.request('sleep', { ms: 10_000 });
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_IPC_CLOSED' });
    await expect(client.request('echo', { text: 'x' })).rejects.toMatchObject({ code: 'ERR_IPC_CLOSED' });

    const other = await connect(socketPath);
    const lost = other.request('sleep', { ms: 10_000 }).catch((e: unknown) => e);
    await server.close();
    expect(await lost).toMatchObject({ code: 'ERR_IPC_CLOSED' });
    expect(other.closed).toBe(true);
  });

  it('a client that leaves its replies unread gets no more work done meanwhile, and is closed past writeTimeoutMs', async () => {
    let handled = 0;
    const { server, socketPath } = await serve({
      writeTimeoutMs: 200,
      methods: methods({
        big: defineMethod(z.object({}), () => {
          handled++;
          return 'x'.repeat(256 * 1024);
        }),
      }),
    });
    const conn = await raw(socketPath);
    conn.socket.pause(); // never reads
    conn.send({ jsonrpc: '2.0', id: 0, method: 'hostwire.hello', params: { version: 1 } });
    for (let id = 1; id <= 64; id++) conn.send({ jsonrpc: '2.0', id, method: 'big', params: {} });
    await expect.poll(() => handled).toBeGreaterThan(0);
    // (The paused client would not see its socket close: watch the server's side.)
    await expect.poll(() => server.connectionCount, { timeout: 5000 }).toBe(0);
    // Once replies backed up, no waiting request was started: only the first 16 (maxConcurrent) ran.
    expect(handled).toBeLessThanOrEqual(16);
  });

  it('notifications both ways', async () => {
    const seen: unknown[] = [];
    const { socketPath } = await serve({
      methods: methods({
        log: defineMethod(z.object({ line: z.string() }), ({ params }) => void seen.push(params.line)),
        subscribe: defineMethod(z.unknown(), ({ notify }) => {
          notify('tick', { n: 1 });
          return 'ok';
        }),
      }),
    });
    const client = await connect(socketPath);
    const tick = once(client, 'notification');
    await client.request('subscribe');
    expect(await tick).toEqual(['tick', { n: 1 }]);
    client.notify('log', { line: 'one' });
    await client.request('echo', { text: 'sync' }); // handled after the notification
    expect(seen).toEqual(['one']);
  });

  it('deadline on connect and handshake: a server that never answers is ERR_IPC_TIMEOUT', async () => {
    const dir = tempDir('hostwire-ipc-');
    const socketPath = path.join(dir, 'mute.sock');
    const mute = net.createServer((socket) => socket.resume()); // reads, never answers
    await new Promise<void>((resolve) => mute.listen(socketPath, resolve));
    open.push({ close: () => new Promise((resolve) => mute.close(resolve)) });
    await expect(IpcClient.connect(socketPath, { handshakeTimeoutMs: 50 })).rejects.toMatchObject({ code: 'ERR_IPC_TIMEOUT' });
    await expect(IpcClient.connect(path.join(dir, 'absent.sock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('socket file safety', () => {
  it('never takes over a live server: EADDRINUSE, and the first keeps serving', async () => {
    const { socketPath } = await serve();
    await expect(IpcServer.listen(socketPath, { methods: methods() })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const client = await connect(socketPath);
    await expect(client.request('echo', { text: 'first' })).resolves.toEqual({ text: 'first' });
  });

  it('replaces a stale socket file; refuses a file that is not a socket', async () => {
    const dir = tempDir('hostwire-ipc-');
    const stale = path.join(dir, 'stale.sock');
    // A process that binds and exits without unlinking leaves a stale socket file.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.exit(0))`]);
    await once(child, 'exit');
    expect(statSync(stale).isSocket()).toBe(true);
    const server = await IpcServer.listen(stale, { methods: methods() });
    open.push(server);
    const client = await connect(stale);
    await expect(client.request('echo', { text: 'new' })).resolves.toEqual({ text: 'new' });

    const regular = path.join(dir, 'file');
    writeFileSync(regular, 'keep me');
    await expect(IpcServer.listen(regular, { methods: methods() })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(statSync(regular).isFile()).toBe(true);
  });

  it('creates the socket with its mode (default 0600), leaves no temporary directory, removes the file on close', async () => {
    const { server, socketPath, dir } = await serve();
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['rpc.sock']);
    await server.close();
    expect(existsSync(socketPath)).toBe(false);
    const group = await IpcServer.listen(socketPath, { methods: methods(), mode: 0o660 });
    open.push(group);
    expect(statSync(socketPath).mode & 0o777).toBe(0o660);
  });
});

/** A client in another process that speaks raw frames: prints the hello reply. */
const RAW_CLIENT = `
const net = require('net');
const s = net.connect(process.argv[1]);
const msg = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'hostwire.hello', params: { version: 1 } }));
const head = Buffer.alloc(4); head.writeUInt32LE(msg.length);
s.on('connect', () => s.write(Buffer.concat([head, msg])));
let buf = Buffer.alloc(0);
s.on('data', (d) => { buf = Buffer.concat([buf, d]); if (buf.length >= 4 && buf.length >= 4 + buf.readUInt32LE(0)) { process.stdout.write(buf.subarray(4).toString()); s.end(); } });
s.on('error', (e) => { process.stderr.write(String(e)); process.exit(1); });
`;

async function runRawClient(argv: string[], socketPath: string): Promise<{ pid: number; reply: { result: { peer: unknown } } }> {
  const child = spawn(argv[0]!, [...argv.slice(1), process.execPath, '-e', RAW_CLIENT, socketPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = await once(child, 'exit');
  expect(code, stderr).toBe(0);
  return { pid: child.pid!, reply: JSON.parse(stdout) };
}

describe('peer credentials (SO_PEERCRED)', () => {
  it("a client in another process: the server sees that process's pid", async () => {
    const peers: unknown[] = [];
    const { socketPath } = await serve({ authorize: (peer) => peers.push(peer) > 0 });
    const { pid, reply } = await runRawClient(['env'], socketPath);
    const expected = { pid, uid: process.getuid!(), gid: process.getgid!() };
    expect(reply.result.peer).toEqual(expected);
    expect(peers).toEqual([expected]);
  });

  it('authorize refusing a peer closes its connection before any message', async () => {
    const { socketPath } = await serve({ authorize: () => false });
    await expect(IpcClient.connect(socketPath)).rejects.toMatchObject({ code: 'ERR_IPC_CLOSED' });
  });

  itAsRoot(
    'a client under another uid and gid: the server sees 65534/65534',
    async () => {
      const { socketPath, dir } = await serve({ mode: 0o666 });
      chmodSync(dir, 0o755);
      const { pid, reply } = await runRawClient(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'], socketPath);
      expect(reply.result.peer).toEqual({ pid, uid: 65534, gid: 65534 });
    },
    { commands: ['setpriv'] },
  );
});
