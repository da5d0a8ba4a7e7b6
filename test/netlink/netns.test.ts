// Opening Netlink sockets in another namespace, and a socket's life: the
// calling thread never moves, a missing namespace is ENOENT naming its path,
// and a closed socket answers EBADF.
import { readlinkSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Netlink, NetlinkMonitor } from '../../src/netlink/index.js';
import { native } from '../../src/native.js';
import { createTestNetns, type TestNetns } from '../helpers/netns.js';
import { describeAsRoot } from '../helpers/root.js';
import { ifindexes, thrown } from './shared.js';

const threadNetns = (): string => readlinkSync('/proc/thread-self/ns/net');

/** PATH_MAX: a path must be shorter, its terminating NUL included. */
const PATH_MAX = 4096;

describe('Netlink namespace paths and arguments (no root needed)', () => {
  it('a path of PATH_MAX bytes or more is ENAMETOOLONG from open, with the path, before any syscall', () => {
    for (const path of [`/run/netns/${'x'.repeat(PATH_MAX)}`, '/'.repeat(PATH_MAX - 1) + 'a', `/${'é'.repeat(2048)}`]) {
      for (const open of [() => Netlink.open({ netns: path }), () => NetlinkMonitor.open({ netns: path })]) {
        const err = thrown(open);
        expect(err).toMatchObject({ code: 'ENAMETOOLONG', errno: 36, syscall: 'open', path });
        expect(err.message).toBe(`ENAMETOOLONG: File name too long, open '${path}'`);
      }
    }
    // A name is looked up under /run/netns: the limit counts that prefix too.
    const name = 'n'.repeat(PATH_MAX - '/run/netns/'.length);
    expect(thrown(() => Netlink.open({ netns: name }))).toMatchObject({ code: 'ENAMETOOLONG', path: `/run/netns/${name}` });
  });

  it('an open socket holds a 64 KB receive buffer, reported to V8; close() frees it and takes the report back', async () => {
    const reported = () => native.netlink.Netlink.externalMemory();
    const BUFFER = 64 * 1024;
    // Node and V8 report small amounts of their own (a few KB) to the same count.
    const about = (bytes: number) => expect.toSatisfy((n: number) => Math.abs(n - bytes) < 16 * 1024, `≈ ${bytes}`);
    const before = reported();
    const sockets = Array.from({ length: 10 }, () => new native.netlink.Netlink(null));
    expect(sockets.map((s) => s.bufferBytes)).toEqual(sockets.map(() => BUFFER));
    expect(reported() - before).toEqual(about(10 * BUFFER));
    for (const s of sockets) s.close();
    for (const s of sockets) s.close(); // idempotent: nothing taken back twice
    expect(sockets.map((s) => s.bufferBytes)).toEqual(sockets.map(() => 0));
    expect(reported() - before).toEqual(about(0));
    // A dump on the threadpool has a socket and buffer of its own while it runs, and gives them back after.
    // Eight at once, so a leak (8 × 64 KB) stands far above what the GC frees of
    // other external memory while they run (Buffers of a few KB). They ask for a
    // destination no table here holds (TEST-NET-2), so their results add no
    // external memory of their own (the host's table could be of any size).
    using nl = Netlink.open();
    const idle = reported();
    const nothing = { table: 'all', destinations: [{ dst: '198.51.100.0', prefix: 24 }] } as const;
    const pending = Array.from({ length: 8 }, () => nl.listRoutesAsync(nothing));
    expect(reported() - idle).toEqual(about(8 * BUFFER));
    await Promise.all(pending);
    expect(Math.abs(reported() - idle)).toBeLessThan(BUFFER);
  });

  it('an empty or malformed netns is ERR_INVALID_ARG_VALUE, a non-string ERR_INVALID_ARG_TYPE', () => {
    for (const netns of ['', 'a\0b', '.', '..']) {
      for (const open of [() => Netlink.open({ netns }), () => NetlinkMonitor.open({ netns })]) {
        const err = thrown(open);
        expect(err).toBeInstanceOf(TypeError);
        expect(err.code).toBe('ERR_INVALID_ARG_VALUE');
      }
    }
    expect(thrown(() => Netlink.open({ netns: 42 as unknown as string })).code).toBe('ERR_INVALID_ARG_TYPE');
  });

  // Opening a namespace file needs no privilege: only joining it does.
  it('a namespace that does not exist is ENOENT with the path it looked for', () => {
    const err = thrown(() => Netlink.open({ netns: 'does-not-exist' }));
    expect(err).toMatchObject({ code: 'ENOENT', errno: 2, syscall: 'open', path: '/run/netns/does-not-exist' });
    expect(err.message).toBe("ENOENT: No such file or directory, open '/run/netns/does-not-exist'");
    const monitorErr = thrown(() => NetlinkMonitor.open({ netns: 'does-not-exist' }));
    expect(monitorErr).toMatchObject({ code: 'ENOENT', errno: 2, syscall: 'open', path: '/run/netns/does-not-exist' });
  });

  it('a full path to a namespace that does not exist is ENOENT with that path', () => {
    const err = thrown(() => Netlink.open({ netns: '/run/netns/hwtest-no-such-ns' }));
    expect(err).toMatchObject({ code: 'ENOENT', errno: 2, path: '/run/netns/hwtest-no-such-ns' });
  });

  it('just under the limit is opened as given (and is simply not there)', () => {
    const path = '/'.repeat(PATH_MAX - 1 - '/run/netns/hwtest-no-such-ns'.length) + '/run/netns/hwtest-no-such-ns';
    expect(Buffer.byteLength(path)).toBe(PATH_MAX - 1);
    expect(thrown(() => Netlink.open({ netns: path }))).toMatchObject({ code: 'ENOENT', syscall: 'open', path });
  });
});

describeAsRoot('Netlink namespaces', () => {
  let ns: TestNetns;
  // Unique per run, so the host cannot happen to have a link of that name.
  const bridge = `hwnl${process.pid}`.slice(0, 15);

  beforeAll(() => {
    ns = createTestNetns('netns');
    ns.addBridge(bridge);
  });

  afterAll(() => {
    ns?.delete();
  });

  it('a path too long for PATH_MAX is refused by the addon too, never cut short to one that names another namespace', () => {
    // Its first PATH_MAX - 1 bytes are a path to the test namespace; the whole is a namespace that does not exist.
    const suffix = '-not-this-one';
    const path = '/'.repeat(PATH_MAX - 1 - ns.path.length) + ns.path + suffix;
    expect(Buffer.byteLength(path)).toBe(PATH_MAX - 1 + suffix.length);
    for (const open of [
      () => new native.netlink.Netlink(path),
      () =>
        new native.netlink.NetlinkMonitor(
          path,
          [],
          () => {},
          () => {},
        ),
    ]) {
      expect(thrown(open)).toMatchObject({ code: 'ENAMETOOLONG', errno: 36, syscall: 'open', path });
    }
  });

  it('a path that is not a namespace file is refused by setns (EINVAL), not silently used', () => {
    const err = thrown(() => Netlink.open({ netns: '/proc/self/status' }));
    expect(err).toMatchObject({ code: 'EINVAL', errno: 22, syscall: 'setns', path: '/proc/self/status' });
  });

  it('by name: the netns getter is the /run/netns path and the socket sees the namespace’s links', () => {
    using nl = Netlink.open({ netns: ns.name });
    expect(nl.netns).toBe(ns.path);
    expect(nl.linkByName(bridge)).toMatchObject({ index: ifindexes(ns).get(bridge), name: bridge, kind: 'bridge' });
  });

  it('by full path: the same namespace, the same getter, the same links', () => {
    using byName = Netlink.open({ netns: ns.name });
    using byPath = Netlink.open({ netns: ns.path });
    expect(byPath.netns).toBe(ns.path);
    expect(byPath.listLinks()).toEqual(byName.listLinks());
  });

  it('any other path to the namespace file works too, and the getter returns it as given', () => {
    const odd = `/run/../run/netns/${ns.name}`;
    using nl = Netlink.open({ netns: odd });
    expect(nl.netns).toBe(odd);
    expect(nl.linkByName(bridge)).not.toBeNull();
  });

  it('the calling thread stays in its own namespace while sockets are opened in another', () => {
    const before = threadNetns();
    expect(before).toMatch(/^net:\[\d+\]$/);
    // The test namespace is a different one.
    expect(before).not.toBe(`net:[${statSync(ns.path).ino}]`);
    const nl = Netlink.open({ netns: ns.name });
    const monitor = NetlinkMonitor.open({ netns: ns.name, ref: false });
    expect(threadNetns()).toBe(before);
    nl.listLinks();
    expect(threadNetns()).toBe(before);
    monitor.close();
    nl.close();
    expect(threadNetns()).toBe(before);
  });

  it('Netlink.open() without netns is this process’s namespace: netns null, and the test bridge is not there', () => {
    using inNs = Netlink.open({ netns: ns.name });
    using own = Netlink.open();
    expect(own.netns).toBeNull();
    expect(inNs.linkByName(bridge)).not.toBeNull();
    expect(own.linkByName(bridge)).toBeNull();
    expect(own.listLinks().map((l) => l.name)).not.toContain(bridge);
    // Opening in the namespace did not move later host-side sockets either.
    using again = Netlink.open();
    expect(again.linkByName(bridge)).toBeNull();
  });

  describe('close', () => {
    it('close() twice is fine, and `closed` says so', () => {
      const nl = Netlink.open({ netns: ns.name });
      expect(nl.closed).toBe(false);
      nl.close();
      expect(nl.closed).toBe(true);
      expect(() => nl.close()).not.toThrow();
      expect(nl.closed).toBe(true);
      // `using` after an explicit close is fine as well.
      expect(() => nl[Symbol.dispose]()).not.toThrow();
    });

    it('every call after close() throws EBADF naming the request', () => {
      const nl = Netlink.open({ netns: ns.name });
      nl.close();
      const calls: [string, () => unknown][] = [
        ['RTM_GETROUTE', () => nl.listRoutes()],
        ['RTM_GETROUTE', () => nl.routesTo('10.0.0.0', 8)],
        ['RTM_GETROUTE', () => nl.getRoute('10.0.0.0', 8)],
        ['RTM_GETROUTE', () => nl.lookupRoute('10.0.0.1')],
        ['RTM_NEWROUTE', () => nl.addRoute({ dst: '10.9.0.0', prefix: 16, oif: 1 })],
        ['RTM_NEWROUTE', () => nl.replaceRoute({ dst: '10.9.0.0', prefix: 16, oif: 1 })],
        ['RTM_DELROUTE', () => nl.removeRoute({ dst: '10.9.0.0', prefix: 16 })],
        ['RTM_GETLINK', () => nl.listLinks()],
        ['RTM_GETLINK', () => nl.linkByName('lo')],
        ['RTM_GETLINK', () => nl.linkByIndex(1)],
        ['RTM_GETNEIGH', () => nl.listFdb()],
        ['RTM_GETLINK', () => nl.listFdb({ master: bridge })],
      ];
      for (const [syscall, call] of calls) {
        const err = thrown(call);
        expect(err).toMatchObject({ code: 'EBADF', errno: 9, syscall });
      }
    });
  });
});
