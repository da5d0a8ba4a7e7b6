// One lifecycle for every resource, checked the same way for each: close()
// is idempotent, 'close' comes once and only after close() has returned,
// ref()/unref() return the resource, dispose closes it, and a `signal` given
// at open refuses to open (already aborted) or closes it (aborted later),
// leaving no listener on the signal.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { getEventListeners, once } from 'node:events';
import path from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DgramReceiver, DgramSender } from '../../src/dgram/index.js';
import { HeartbeatAgent, HeartbeatObserver } from '../../src/heartbeat/index.js';
import { IpcClient, IpcServer } from '../../src/ipc/index.js';
import { MachineStore } from '../../src/machines/index.js';
import { Netlink, NetlinkMonitor } from '../../src/netlink/index.js';
import { RouteManager, type RouteExecutor } from '../../src/routing/index.js';
import { tempDir } from '../helpers/tmp.js';

interface Lifecycle {
  close(): void | Promise<void>;
  readonly closed: boolean;
  ref(): unknown;
  unref(): unknown;
  on(event: 'close', listener: () => void): unknown;
  [Symbol.dispose]?(): void;
  [Symbol.asyncDispose]?(): Promise<void>;
}

interface Case {
  name: string;
  /** Opens the resource in `dir`, passing `signal` the way its factory takes it. */
  open: (dir: string, signal?: AbortSignal) => Lifecycle | Promise<Lifecycle>;
  /** Files an open would create: none may exist after a refused open. */
  creates?: (dir: string) => string[];
  /** Whether the process's fd count is back to where it was once closed (false where others share the fds). */
  fdsSettle?: boolean;
}

// Managers behind the watchers, closed after each test. The executor changes
// nothing: a check reads the routes of this namespace and stops there.
const managers: RouteManager[] = [];
afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.close();
});
// The server the IpcClient case connects to: opened before any fd count is taken.
let ipcServer: IpcServer;
let ipcDir: string;
beforeAll(async () => {
  ipcDir = mkdtempSync(path.join(tmpdir(), 'hostwire-lifecycle-ipc-'));
  ipcServer = await IpcServer.listen(path.join(ipcDir, 'ipc.sock'), { methods: {} });
});
afterAll(async () => {
  await ipcServer.close();
  rmSync(ipcDir, { recursive: true, force: true });
});
const inertExecutor: RouteExecutor = { replaceRoute: async () => {}, removeRoute: async () => 'absent' };

const withSignal = (signal: AbortSignal | undefined) => (signal === undefined ? {} : { signal });

const cases: Case[] = [
  {
    name: 'DgramSender',
    open: (dir, signal) => DgramSender.connect(path.join(dir, 'peer.sock'), withSignal(signal)),
  },
  {
    name: 'DgramReceiver',
    open: (dir, signal) => DgramReceiver.listen(path.join(dir, 'r.sock'), withSignal(signal)),
    creates: (dir) => [path.join(dir, 'r.sock')],
  },
  {
    name: 'HeartbeatAgent',
    open: (dir, signal) => HeartbeatAgent.connect(path.join(dir, 'observer.sock'), withSignal(signal)),
  },
  {
    name: 'HeartbeatObserver',
    open: (dir, signal) => HeartbeatObserver.listen(path.join(dir, 'o.sock'), withSignal(signal)),
    creates: (dir) => [path.join(dir, 'o.sock')],
  },
  {
    name: 'Netlink',
    open: (_dir, signal) => Netlink.open(withSignal(signal)),
  },
  {
    name: 'NetlinkMonitor',
    open: (_dir, signal) => NetlinkMonitor.open(withSignal(signal)),
  },
  {
    name: 'RouteWatcher',
    open: (_dir, signal) => {
      const manager = new RouteManager({ subnet: '10.255.254.0/24', executor: inertExecutor });
      managers.push(manager);
      return manager.watch({ device: 'lo' }, withSignal(signal));
    },
    fdsSettle: false, // a check in flight may have opened the manager's own netlink socket
  },
  {
    name: 'IpcServer',
    open: (dir, signal) => IpcServer.listen(path.join(dir, 'ipc.sock'), { methods: {}, ...withSignal(signal) }),
    creates: (dir) => [path.join(dir, 'ipc.sock')],
  },
  {
    name: 'IpcClient',
    open: (_dir, signal) => IpcClient.connect(ipcServer.path, withSignal(signal)),
    fdsSettle: false, // the server's end of the connection closes on its own time
  },
  {
    name: 'MachineStore',
    open: (dir, signal) => MachineStore.open(path.join(dir, 'machines'), { durable: false, ...withSignal(signal) }),
    creates: (dir) => [path.join(dir, 'machines')],
  },
];

const fdCount = () => readdirSync('/proc/self/fd').length;

/** Some loop turns: nextTick callbacks, and libuv handles closing. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await turn();
}

function dispose(resource: Lifecycle): void | Promise<void> {
  if (resource[Symbol.asyncDispose]) return resource[Symbol.asyncDispose]!();
  return resource[Symbol.dispose]!();
}

describe.each(cases)('$name', ({ open, creates, fdsSettle = true }) => {
  it("close() twice is fine; 'close' comes exactly once, after close() has returned", async () => {
    const resource = await open(tempDir());
    const seen: boolean[] = [];
    let returned = false;
    resource.on('close', () => seen.push(returned));
    const first = resource.close();
    returned = true;
    expect(resource.closed).toBe(true);
    const second = resource.close();
    if (first instanceof Promise) expect(second).toBe(first); // the store: the same promise
    await first;
    await settle();
    void resource.close(); // a third call changes nothing (the store's returns its settled promise)
    await settle();
    expect(seen).toEqual([true]);
  });

  it('ref() and unref() return the resource, open or closed', async () => {
    const resource = await open(tempDir());
    expect(resource.unref()).toBe(resource);
    expect(resource.ref()).toBe(resource);
    await resource.close();
    expect(resource.unref()).toBe(resource);
    expect(resource.ref()).toBe(resource);
  });

  it("dispose closes it and emits 'close'", async () => {
    const resource = await open(tempDir());
    const closed = once(resource as never, 'close');
    await dispose(resource);
    expect(resource.closed).toBe(true);
    await closed;
  });

  it('an already aborted signal: an AbortError as Node throws it, and nothing opened', async () => {
    const dir = tempDir();
    await settle();
    const fds = fdCount();
    const reason = new Error('shutting down');
    let error: unknown;
    try {
      await open(dir, AbortSignal.abort(reason));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: reason });
    for (const file of creates?.(dir) ?? []) expect(existsSync(file), file).toBe(false);
    await settle();
    expect(fdCount()).toBe(fds);
  });

  it('a signal that is not an AbortSignal: ERR_INVALID_ARG_TYPE, and nothing opened', async () => {
    const dir = tempDir();
    await expect((async () => open(dir, 'stop' as never))()).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    for (const file of creates?.(dir) ?? []) expect(existsSync(file), file).toBe(false);
  });

  it("aborting later closes it and emits 'close'; no abort listener is left", async () => {
    const dir = tempDir();
    await settle();
    const fds = fdCount();
    const controller = new AbortController();
    const resource = await open(dir, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    let count = 0;
    resource.on('close', () => count++);
    controller.abort();
    expect(resource.closed).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await settle();
    expect(count).toBe(1);
    if (fdsSettle) expect(fdCount()).toBe(fds);
  });

  it('close() removes the abort listener; aborting afterwards does nothing', async () => {
    const controller = new AbortController();
    const resource = await open(tempDir(), controller.signal);
    let count = 0;
    resource.on('close', () => count++);
    await resource.close();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
    await settle();
    expect(count).toBe(1);
  });
});

describe('names', () => {
  it('the package root exports HeartbeatAgent and HeartbeatObserver, not the short aliases', async () => {
    const root = await import('../../src/index.js');
    expect(root.HeartbeatAgent).toBe(HeartbeatAgent);
    expect(root.HeartbeatObserver).toBe(HeartbeatObserver);
    expect('Agent' in root).toBe(false);
    expect('Observer' in root).toBe(false);
  });

  it('hostwire/heartbeat keeps Agent and Observer as aliases of the same classes', async () => {
    const heartbeat = await import('../../src/heartbeat/index.js');
    expect(heartbeat.Agent).toBe(HeartbeatAgent);
    expect(heartbeat.Observer).toBe(HeartbeatObserver);
  });
});
