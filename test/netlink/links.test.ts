// Links through Netlink, compared with what `ip -d -j link show` prints for
// the same namespace.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinkFlag, Netlink } from '../../src/netlink/index.js';
import { createTestNetns, type TestNetns } from '../helpers/netns.js';
import { describeAsRoot } from '../helpers/root.js';
import { ifindexes, ipLinks, linkFromHostwire, settled, thrown } from './shared.js';

// On a closed socket (no root needed): an argument error rather than EBADF
// shows the check comes before the kernel is asked.
describe('Netlink link lookups: argument checks', () => {
  const nl = Netlink.open();
  nl.close();

  it('a 16-byte or empty name is ERR_INVALID_ARG_VALUE, a non-string ERR_INVALID_ARG_TYPE', () => {
    for (const name of ['x'.repeat(16), 'é'.repeat(8), '']) {
      const err = thrown(() => nl.linkByName(name));
      expect(err).toBeInstanceOf(TypeError);
      expect(err.code).toBe('ERR_INVALID_ARG_VALUE');
    }
    expect(thrown(() => nl.linkByName(7 as unknown as string)).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(thrown(() => nl.linkByName('x'.repeat(16))).message).toBe(
      'The "name" argument must be an interface name of 1-15 bytes; received "xxxxxxxxxxxxxxxx"',
    );
    // A valid name gets as far as the kernel: the closed socket answers.
    expect(thrown(() => nl.linkByName('x'.repeat(15))).code).toBe('EBADF');
  });

  it('an index that is not a positive 32-bit integer is an argument error', () => {
    expect(thrown(() => nl.linkByIndex(0)).code).toBe('ERR_OUT_OF_RANGE');
    expect(thrown(() => nl.linkByIndex(2 ** 31)).code).toBe('ERR_OUT_OF_RANGE');
    expect(thrown(() => nl.linkByIndex(1.5)).code).toBe('ERR_OUT_OF_RANGE'); // as Node's validateInteger
    expect(thrown(() => nl.linkByIndex(NaN)).code).toBe('ERR_OUT_OF_RANGE');
    expect(thrown(() => nl.linkByIndex(1n as unknown as number)).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(thrown(() => nl.linkByIndex(2 ** 31 - 1)).code).toBe('EBADF');
  });
});

describeAsRoot('Netlink links', () => {
  let ns: TestNetns;
  let nl: Netlink;

  beforeEach(() => {
    ns = createTestNetns('links');
    ns.addBridge('br0');
    ns.addBridge('br1');
    ns.addPort('br0', 'vp0', 'vq0');
    ns.addPort('br1', 'vp1', 'vq1');
    // A veth whose peer is down: its own operstate is lowerlayerdown.
    ns.ip('link', 'add', 'vd0', 'type', 'veth', 'peer', 'name', 'vd1');
    ns.ip('link', 'set', 'vd0', 'up');
    // A bridge left down, with its own MAC and MTU.
    ns.ip('link', 'add', 'brdown', 'type', 'bridge');
    ns.ip('link', 'set', 'brdown', 'address', '02:11:22:33:44:55', 'mtu', '1400');
    nl = Netlink.open({ netns: ns.name });
  });

  afterEach(() => {
    nl?.close();
    ns?.delete();
  });

  it('listLinks() equals `ip -d -j link show`: index, name, mtu, mac, master, kind, operstate, flags', () => {
    const { theirs, ours } = settled(
      () => ipLinks(ns),
      () =>
        nl
          .listLinks()
          .map(linkFromHostwire)
          .sort((a, b) => a.index - b.index),
    );
    expect(theirs.map((l) => l.name).sort()).toEqual(['br0', 'br1', 'brdown', 'lo', 'vd0', 'vd1', 'vp0', 'vp1', 'vq0', 'vq1']);
    expect(ours).toEqual(theirs);
  });

  it('reports each link kind, master and state exactly', () => {
    const index = ifindexes(ns);
    const byName = new Map(nl.listLinks().map((l) => [l.name, l]));
    expect(byName.get('lo')).toMatchObject({ index: 1, kind: null, master: null, mac: '00:00:00:00:00:00', mtu: 65536, up: true });
    expect(byName.get('lo')!.flags & LinkFlag.LOOPBACK).toBe(LinkFlag.LOOPBACK);
    expect(byName.get('vp0')).toMatchObject({ kind: 'veth', master: index.get('br0'), up: true });
    expect(byName.get('vp1')).toMatchObject({ kind: 'veth', master: index.get('br1'), up: true });
    expect(byName.get('vq0')).toMatchObject({ kind: 'veth', master: null });
    expect(byName.get('br0')).toMatchObject({ kind: 'bridge', master: null, up: true });
    expect(byName.get('vd0')).toMatchObject({ kind: 'veth', up: true, operstate: 'lowerlayerdown' });
    expect(byName.get('vd1')).toMatchObject({ kind: 'veth', up: false, operstate: 'down' });
    expect(byName.get('brdown')).toMatchObject({
      index: index.get('brdown'),
      kind: 'bridge',
      master: null,
      mac: '02:11:22:33:44:55',
      mtu: 1400,
      up: false,
      operstate: 'down',
    });
    expect(byName.get('brdown')!.flags & LinkFlag.UP).toBe(0);
  });

  it('linkByName and linkByIndex return the same link as listLinks()', () => {
    const listed = nl.listLinks();
    for (const link of listed) {
      expect(nl.linkByName(link.name)).toEqual(
        expect.objectContaining({ index: link.index, name: link.name, kind: link.kind, master: link.master, mac: link.mac, mtu: link.mtu }),
      );
      expect(nl.linkByIndex(link.index)).toEqual(
        expect.objectContaining({ index: link.index, name: link.name, kind: link.kind, master: link.master, mac: link.mac, mtu: link.mtu }),
      );
    }
    expect(nl.linkByName('brdown')).toEqual(listed.find((l) => l.name === 'brdown'));
  });

  it('a name or index that does not exist is null', () => {
    expect(nl.linkByName('nope0')).toBeNull();
    expect(nl.linkByIndex(9999)).toBeNull();
    // A name of exactly 15 bytes is valid and simply absent.
    expect(nl.linkByName('x'.repeat(15))).toBeNull();
  });

  it('a link removed is gone from both lookups', () => {
    const index = nl.linkByName('vd0')!.index;
    ns.ip('link', 'del', 'vd0');
    expect(nl.linkByName('vd0')).toBeNull();
    expect(nl.linkByIndex(index)).toBeNull();
    expect(nl.listLinks().map((l) => l.name)).not.toContain('vd1');
  });
});
