// Route dumps off the event loop (listRoutesAsync) and the dump filters, in
// namespaces holding a few hundred and a few thousand routes: the async form
// returns exactly what the sync one does, for every filter; aborting and
// closing settle it at once with a coded error.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netlink, type RouteFilter } from '../../src/netlink/index.js';
import { native } from '../../src/native.js';
import { createTestNetns, type TestNetns } from '../helpers/netns.js';
import { describeAsRoot } from '../helpers/root.js';
import { thrown } from './shared.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

// On a closed socket (no root needed): an argument error rather than EBADF
// shows the check comes before any dump.
describe('Netlink.listRoutesAsync: argument checks', () => {
  const nl = Netlink.open();
  nl.close();

  it('bad filters reject with argument errors', async () => {
    const tooMany = range(17).map((i) => ({ dst: `10.1.${i}.0`, prefix: 24 }));
    await expect(nl.listRoutesAsync({ destinations: tooMany })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    expect(thrown(() => nl.listRoutes({ destinations: tooMany }))).toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(nl.listRoutesAsync({ destinations: [{ dst: '10.1.0.0', prefix: 33 }] })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
    });
    await expect(nl.listRoutesAsync({ destinations: [{ dst: 'br0', prefix: 8 }] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    await expect(nl.listRoutesAsync({ destinations: '10.0.0.0/8' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(nl.listRoutesAsync({ signal: {} as AbortSignal })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(nl.listRoutesAsync({ destinations: range(16).map((i) => ({ dst: `10.1.${i}.0`, prefix: 24 })) })).rejects.toMatchObject({
      code: 'EBADF',
    });
  });

  it('the addon checks the destinations that reach it too', () => {
    const socket = new native.netlink.Netlink(null);
    socket.close();
    expect(thrown(() => socket.routes({ table: 254, destinations: ['10.0.0.0/40'] }))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    expect(thrown(() => socket.routes({ table: 254, destinations: ['10.0.0.0'] }))).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    expect(thrown(() => socket.routes({ protocol: 256 }))).toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    expect(thrown(() => socket.routes({ family: 5 as 4 }))).toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    expect(thrown(() => socket.routes({ table: 254, destinations: ['10.0.0.0/8'] }))).toMatchObject({ code: 'EBADF' });
  });

  it('an already aborted signal rejects with ABORT_ERR (the reason as cause) before any dump', async () => {
    const reason = new Error('shutting down');
    const err = await nl.listRoutesAsync({ signal: AbortSignal.abort(reason) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    expect((err as Error).cause).toBe(reason);
  });
});

describeAsRoot('Netlink.listRoutesAsync', () => {
  let ns: TestNetns;
  let nl: Netlink;
  let br0: number;
  let br1: number;

  beforeAll(() => {
    ns = createTestNetns('routes-async');
    ns.addBridge('br0');
    ns.addBridge('br1');
    ns.ipBatch([
      ...range(200).map((i) => `route add 10.1.${i}.0/24 dev br1 proto 4`),
      ...range(50).map((i) => `route add 10.2.${i}.0/24 dev br0 proto 176`),
      ...range(50).map((i) => `route add fd10:0:${i.toString(16)}::/48 dev br0 proto 4`),
      ...range(20).map((i) => `route add 10.3.${i}.0/24 dev br0 table 100`),
      'route add blackhole 10.9.0.0/16 proto 4',
      'route add fd10:0:3::/48 dev br1 proto 176 metric 50',
    ]);
    nl = Netlink.open({ netns: ns.name });
    br0 = nl.linkByName('br0')!.index;
    br1 = nl.linkByName('br1')!.index;
  });

  afterAll(() => {
    nl?.close();
    ns?.delete();
  });

  it('returns what listRoutes() returns, for every filter (kernel-side and in-addon filters alike)', async () => {
    const filters: RouteFilter[] = [
      {},
      { family: 4 },
      { family: 6 },
      { table: 'all' },
      { family: 4, table: 100 },
      { protocol: 'static' },
      { family: 4, protocol: 176 },
      { oif: br0 },
      { family: 6, oif: br1 },
      { family: 4, protocol: 'static', oif: br1 },
      {
        destinations: [
          { dst: '10.1.7.0', prefix: 24 },
          { dst: 'fd10:0:3::', prefix: 48 },
        ],
      },
    ];
    for (const filter of filters) {
      const sync = nl.listRoutes(filter);
      expect(await nl.listRoutesAsync(filter), JSON.stringify(filter)).toEqual(sync);
    }
    // And what they return is the namespace's state, not two equal mistakes.
    expect(nl.listRoutes({ family: 4 }).filter((r) => r.dst.startsWith('10.1.'))).toHaveLength(200);
    expect(await nl.listRoutesAsync({ family: 4, protocol: 'static', oif: br1 })).toHaveLength(200);
    expect(await nl.listRoutesAsync({ family: 4, table: 100 })).toHaveLength(20);
    expect((await nl.listRoutesAsync({ protocol: 176 })).map((r) => r.family).sort()).toEqual([...range(50).map(() => 4), 6]);
    expect(await nl.listRoutesAsync({ family: 4, protocol: 'static' })).toHaveLength(201); // the blackhole too
  });

  it('destinations: only routes for exactly those networks, both families, any number of routes each', async () => {
    const routes = await nl.listRoutesAsync({
      destinations: [
        { dst: '10.1.7.0', prefix: 24 },
        { dst: '10.1.7.0', prefix: 23 }, // no such route: 10.1.7.0/24 is not it
        { dst: 'fd10:0:3::', prefix: 48 },
        { dst: '10.9.0.0', prefix: 16 },
      ],
    });
    expect(routes.map((r) => `${r.dst}/${r.prefix} ${r.oif ?? '-'} ${r.protocol}`).sort()).toEqual([
      `10.1.7.0/24 ${br1} 4`,
      '10.9.0.0/16 - 4',
      `fd10:0:3::/48 ${br0} 4`,
      `fd10:0:3::/48 ${br1} 176`,
    ]);
    // Combined with a kernel-side filter, both apply.
    expect(await nl.listRoutesAsync({ protocol: 176, destinations: [{ dst: 'fd10:0:3::', prefix: 48 }] })).toMatchObject([
      { dst: 'fd10:0:3::', prefix: 48, oif: br1, protocol: 176, metric: 50 },
    ]);
  });

  it('a table the kernel does not have, or a device that is gone, lists no routes', async () => {
    for (const family of [4, 6] as const) {
      expect(nl.listRoutes({ family, table: 4321 })).toEqual([]);
      expect(await nl.listRoutesAsync({ family, table: 4321 })).toEqual([]);
    }
    expect(nl.listRoutes({ oif: 99999 })).toEqual([]);
    expect(await nl.listRoutesAsync({ family: 4, oif: 99999 })).toEqual([]);
  });

  it('aborting while the dump runs rejects with ABORT_ERR, and the socket keeps working', async () => {
    const controller = new AbortController();
    const pending = nl.listRoutesAsync({ table: 'all', signal: controller.signal });
    controller.abort(); // the dump's callback cannot have come yet: it runs on a later turn of the loop
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    expect(await nl.listRoutesAsync({ family: 4, table: 100 })).toHaveLength(20);
    expect(nl.listRoutes({ family: 4, table: 100 })).toHaveLength(20);
  });

  it('close() rejects a dump in progress with EBADF; later calls reject with EBADF too', async () => {
    const other = Netlink.open({ netns: ns.name });
    const pending = other.listRoutesAsync({ table: 'all' });
    other.close();
    await expect(pending).rejects.toMatchObject({ code: 'EBADF', errno: 9, syscall: 'RTM_GETROUTE' });
    await expect(other.listRoutesAsync()).rejects.toMatchObject({ code: 'EBADF', errno: 9, syscall: 'RTM_GETROUTE' });
  });

  it('several dumps at once each get their own answer', async () => {
    const [v4, v6, t100, all] = await Promise.all([
      nl.listRoutesAsync({ family: 4 }),
      nl.listRoutesAsync({ family: 6 }),
      nl.listRoutesAsync({ family: 4, table: 100 }),
      nl.listRoutesAsync({ table: 'all' }),
    ]);
    expect(v4).toEqual(nl.listRoutes({ family: 4 }));
    expect(v6).toEqual(nl.listRoutes({ family: 6 }));
    expect(t100).toHaveLength(20);
    expect(all).toEqual(nl.listRoutes({ table: 'all' }));
  });

  it('opens its socket in the same namespace, found by the namespace file kept open, not by the name again', async () => {
    // A name deleted and made again names another namespace; the socket still reads its own.
    const moved = createTestNetns('routes-async-moved');
    try {
      const path = `/run/netns/${moved.name}`;
      using inMoved = Netlink.open({ netns: path });
      moved.ip('route', 'add', '10.44.0.0/16', 'dev', 'lo');
      // `ip netns delete` unmounts the name; the namespace lives on in the socket.
      moved.delete();
      const again = netnsNamed(moved.name);
      try {
        expect(inMoved.listRoutes({ family: 4 }).map((r) => r.dst)).toContain('10.44.0.0');
        expect((await inMoved.listRoutesAsync({ family: 4 })).map((r) => r.dst)).toContain('10.44.0.0');
        expect(again.routes()).toEqual([]);
      } finally {
        again.delete();
      }
    } finally {
      moved.delete();
    }
  });
});

/** A bare namespace with this exact name (that of one just deleted). */
function netnsNamed(name: string): { routes(): unknown; delete(): void } {
  execFileSync('ip', ['netns', 'add', name]);
  return {
    routes: () => JSON.parse(execFileSync('ip', ['-n', name, '-j', 'route', 'show'], { encoding: 'utf8' }) || '[]') as unknown,
    delete: () => execFileSync('ip', ['netns', 'delete', name]),
  };
}

describeAsRoot('route dumps of thousands of routes', () => {
  let ns: TestNetns;
  let nl: Netlink;
  const COUNT = 5000;

  beforeAll(() => {
    ns = createTestNetns('routes-many');
    ns.addBridge('br0');
    ns.ipBatch(range(COUNT).map((i) => `route add 10.${100 + (i >> 8)}.${i & 255}.0/24 dev br0 proto 4`));
    nl = Netlink.open({ netns: ns.name });
  });

  afterAll(() => {
    nl?.close();
    ns?.delete();
  });

  it('the async dump equals the sync one, route for route', async () => {
    const sync = nl.listRoutes({ family: 4 });
    expect(sync.length).toBeGreaterThanOrEqual(COUNT);
    expect(await nl.listRoutesAsync({ family: 4 })).toEqual(sync);
  });

  it('cancel() stops a dump in progress: its callback gets ECANCELED', async () => {
    const socket = new native.netlink.Netlink(ns.name);
    // Hold every threadpool thread in open() of a FIFO, so the dump cannot
    // start (or finish) before cancel() runs, however loaded the machine is.
    const held = holdThreadpool();
    try {
      const result = new Promise<Error | null>((resolve) => {
        const cancel = socket.routesAsync({ family: 4 }, (err) => resolve(err));
        cancel();
      });
      await held.release();
      expect(await result).toMatchObject({ code: 'ECANCELED', syscall: 'RTM_GETROUTE', netns: ns.path });
    } finally {
      await held.release();
      socket.close();
    }
  });
});

/** Occupies each libuv threadpool thread with a blocking FIFO open until release(). */
function holdThreadpool(): { release(): Promise<void> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'hw-pool-'));
  const fifos = Array.from({ length: Number(process.env.UV_THREADPOOL_SIZE ?? 4) }, (_, i) => path.join(dir, `f${i}`));
  for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
  const readers = fifos.map((fifo) => open(fifo, 'r'));
  let released: Promise<void> | undefined;
  return {
    release: () =>
      (released ??= (async () => {
        for (const fifo of fifos) {
          // A non-blocking open for writing succeeds once the reader waits in open() (ENXIO until then).
          for (;;) {
            try {
              closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
              break;
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err;
              await new Promise((r) => setTimeout(r, 5));
            }
          }
        }
        for (const handle of await Promise.all(readers)) await handle.close();
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
}
