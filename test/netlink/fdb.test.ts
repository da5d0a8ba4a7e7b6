// The bridge FDB through Netlink, compared with `bridge -j fdb show` for the
// same namespace. Ports are added with learning off, so the table holds only
// the kernel's own entries and the static ones a test adds.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FdbFlag, fdbStateName, NeighbourState, Netlink } from '../../src/netlink/index.js';
import { createTestNetns, type TestNetns } from '../helpers/netns.js';
import { describeAsRoot } from '../helpers/root.js';
import { bridgeFdb, ifindexes, settled, sortedFdb, thrown } from './shared.js';

const MAC_A = '02:00:00:00:00:aa';
const MAC_B = '02:00:00:00:00:bb';

// On a closed socket (no root needed): an argument error rather than EBADF
// shows the check comes before the kernel is asked.
describe('Netlink bridge FDB: argument checks', () => {
  it('a bad master index is an argument error', () => {
    const nl = Netlink.open();
    nl.close();
    expect(thrown(() => nl.listFdb({ master: 0 })).code).toBe('ERR_OUT_OF_RANGE');
    expect(thrown(() => nl.listFdb({ master: 1.5 })).code).toBe('ERR_OUT_OF_RANGE');
    expect(thrown(() => nl.listFdb({ master: 1n as unknown as number })).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(thrown(() => nl.listFdb({ master: 1 })).code).toBe('EBADF');
  });
});

describeAsRoot('Netlink bridge FDB', () => {
  let ns: TestNetns;
  let nl: Netlink;
  let index: Map<string, number>;

  beforeEach(() => {
    ns = createTestNetns('fdb');
    ns.addBridge('br0');
    ns.addBridge('br1');
    ns.addPort('br0', 'vp0', 'vq0');
    ns.addPort('br1', 'vp1', 'vq1');
    ns.addFdb(MAC_A, 'vp0');
    ns.addFdb(MAC_B, 'vp1');
    nl = Netlink.open({ netns: ns.name });
    index = ifindexes(ns);
  });

  afterEach(() => {
    nl?.close();
    ns?.delete();
  });

  it('listFdb() equals `bridge -j fdb show`: mac, port, master, vlan, state word, self flag', () => {
    const { theirs, ours } = settled(
      () => bridgeFdb(ns),
      () => sortedFdb(nl.listFdb()),
    );
    expect(
      theirs
        .filter((e) => !e.self)
        .map((e) => e.state)
        .sort(),
    ).toEqual(['permanent', 'permanent', 'static', 'static']);
    expect(ours).toEqual(theirs);
  });

  it('a static entry added with `bridge fdb add … master static` is state NOARP, on its port, under its bridge', () => {
    const entries = nl.listFdb().filter((e) => e.mac === MAC_A);
    expect(entries).toEqual([
      { mac: MAC_A, ifindex: index.get('vp0'), master: index.get('br0'), vlan: null, state: NeighbourState.NOARP, flags: 0, dst: null },
    ]);
    expect(fdbStateName(entries[0]!.state)).toBe('static');
  });

  it('a port’s own address is a permanent entry under its bridge; device entries carry the self flag', () => {
    const vp0 = nl.linkByName('vp0')!;
    const own = nl.listFdb().filter((e) => e.mac === vp0.mac && e.ifindex === vp0.index && e.master !== null);
    expect(own).toEqual([
      { mac: vp0.mac, ifindex: vp0.index, master: index.get('br0'), vlan: null, state: NeighbourState.PERMANENT, flags: 0, dst: null },
    ]);
    expect(fdbStateName(own[0]!.state)).toBe('permanent');
    const selfEntries = nl.listFdb().filter((e) => (e.flags & FdbFlag.SELF) !== 0);
    expect(selfEntries.length).toBeGreaterThan(0);
    for (const e of selfEntries) expect(e).toMatchObject({ master: null, state: NeighbourState.PERMANENT });
  });

  it('listFdb({ master: "br0" }) holds br0’s entries and its ports’, nothing of br1 or its ports', () => {
    const br0 = index.get('br0')!;
    const mine = nl.listFdb({ master: 'br0' });
    expect(mine.length).toBeGreaterThan(0);
    // The ports' own (self) entries have no master but sit on a port of br0.
    for (const e of mine) expect(e.master === br0 || e.ifindex === br0 || e.ifindex === index.get('vp0')).toBe(true);
    const elsewhere = new Set([index.get('br1'), index.get('vp1'), index.get('vq0'), index.get('vq1')]);
    for (const e of mine) {
      expect(elsewhere.has(e.ifindex)).toBe(false);
      expect(e.master === null || e.master === br0).toBe(true);
    }
    expect(mine.map((e) => e.mac)).toContain(MAC_A);
    expect(mine.map((e) => e.mac)).not.toContain(MAC_B);
    // Exactly what `bridge fdb show br br0` prints: the kernel does the filtering for both.
    expect(sortedFdb(mine)).toEqual(bridgeFdb(ns, 'br', 'br0'));
  });

  it('master by index is the same as by name', () => {
    expect(sortedFdb(nl.listFdb({ master: index.get('br1')! }))).toEqual(sortedFdb(nl.listFdb({ master: 'br1' })));
    expect(nl.listFdb({ master: 'br1' }).map((e) => e.mac)).toContain(MAC_B);
  });

  it('an unknown bridge name is ENODEV (errno 19) naming the interface', () => {
    const err = thrown(() => nl.listFdb({ master: 'nosuchbr' }));
    expect(err).toMatchObject({ code: 'ENODEV', errno: 19, netns: ns.path });
    expect(err.message).toBe(`ENODEV: no interface named "nosuchbr" in ${ns.path}`);
  });

  it('with VLAN filtering on, entries carry their VLAN id, as `bridge fdb` prints it', (ctx) => {
    try {
      ns.ip('link', 'set', 'br0', 'type', 'bridge', 'vlan_filtering', '1');
    } catch (err) {
      if (String((err as { stderr?: unknown }).stderr).includes('Operation not supported')) {
        ctx.skip('this kernel has no bridge VLAN filtering');
      }
      throw err;
    }
    ns.bridge('vlan', 'add', 'vid', '10', 'dev', 'vp0');
    ns.bridge('fdb', 'add', '02:00:00:00:0a:0a', 'dev', 'vp0', 'master', 'static', 'vlan', '10');
    const tagged = nl.listFdb({ master: 'br0' }).filter((e) => e.mac === '02:00:00:00:0a:0a');
    expect(tagged).toEqual([
      {
        mac: '02:00:00:00:0a:0a',
        ifindex: index.get('vp0'),
        master: index.get('br0'),
        vlan: 10,
        state: NeighbourState.NOARP,
        flags: 0,
        dst: null,
      },
    ]);
    const { theirs, ours } = settled(
      () => bridgeFdb(ns),
      () => sortedFdb(nl.listFdb()),
    );
    expect(theirs.some((e) => e.vlan === 1)).toBe(true);
    expect(ours).toEqual(theirs);
  });

  it('a VXLAN device’s entries carry their remote endpoint as dst, as `bridge fdb` prints it', () => {
    ns.ip('link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '10.1.0.1', 'nolearning');
    ns.ip('link', 'set', 'vx0', 'up');
    ns.bridge('fdb', 'append', '00:00:00:00:00:00', 'dev', 'vx0', 'dst', '10.1.0.2', 'self', 'permanent');
    ns.bridge('fdb', 'append', '00:00:00:00:00:00', 'dev', 'vx0', 'dst', '10.1.0.3', 'self', 'permanent');
    const vx0 = ifindexes(ns).get('vx0')!;
    const remote = nl.listFdb().filter((e) => e.ifindex === vx0 && e.dst !== null);
    // VXLAN reports its permanent entries as PERMANENT | NOARP; bridge prints that as "permanent".
    const entry = {
      mac: '00:00:00:00:00:00',
      ifindex: vx0,
      master: null,
      vlan: null,
      state: NeighbourState.PERMANENT | NeighbourState.NOARP,
      flags: FdbFlag.SELF,
    };
    expect(remote.sort((a, b) => a.dst!.localeCompare(b.dst!))).toEqual([
      { ...entry, dst: '10.1.0.2' },
      { ...entry, dst: '10.1.0.3' },
    ]);
    expect(fdbStateName(remote[0]!.state)).toBe('permanent');
    const { theirs, ours } = settled(
      () => bridgeFdb(ns),
      () => sortedFdb(nl.listFdb()),
    );
    expect(theirs.filter((e) => e.dst !== null)).toHaveLength(2);
    expect(ours).toEqual(theirs);
  });

  it('an entry deleted with `bridge fdb del` is gone', () => {
    ns.bridge('fdb', 'del', MAC_A, 'dev', 'vp0', 'master');
    expect(nl.listFdb().map((e) => e.mac)).not.toContain(MAC_A);
    expect(nl.listFdb().map((e) => e.mac)).toContain(MAC_B);
  });
});
