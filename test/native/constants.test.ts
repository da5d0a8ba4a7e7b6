// The numbers TypeScript shares with the addon — record layouts, slots, op
// codes and flags — come from the addon's frozen `constants` objects, not from
// copies in TypeScript. Each test writes data at the addon's offsets (or reads
// what the addon reports) and checks the TypeScript side reads the same.
import { describe, expect, it } from 'vitest';
import { native } from '../../src/native.js';
import { OutcomeCode, outcomeOf, ReceivedBatch } from '../../src/dgram/index.js';
import { decodeRecords, decodeFdb, decodeLinks, decodeRoutes } from '../../src/netlink/records.js';
import { MAIN_TABLE, routeProtocolName, routeScopeName, routeTypeName } from '../../src/netlink/index.js';
import { decodeInto, DECODE_ERROR_KINDS, encodeFrame, Field, FIELD_COUNT, kindOfResult } from '../../src/vlp/index.js';
import { encodeError, ENCODE_FIELDS, FIELD_RANGE, FIELD_TYPE } from '../../src/vlp/errors.js';

function deepFrozen(value: object): boolean {
  return Object.isFrozen(value) && Object.values(value).every((v) => typeof v !== 'object' || deepFrozen(v as object));
}

describe('addon constants', () => {
  it('every constants object is frozen, all the way down, and holds only numbers', () => {
    for (const constants of [native.dgram.constants, native.netlink.constants, native.vlp.constants]) {
      expect(deepFrozen(constants)).toBe(true);
      const leaves = (o: object): unknown[] => Object.values(o).flatMap((v) => (typeof v === 'object' ? leaves(v as object) : [v]));
      expect(leaves(constants).every((v) => Number.isInteger(v))).toBe(true);
    }
  });

  describe('netlink records', () => {
    const layout = native.netlink.constants.record;

    // One record of `size` bytes with its header written at the addon's offsets.
    function record(kind: number, action: number, size: number): { buffer: ArrayBuffer; view: DataView; u8: Uint8Array } {
      const buffer = new ArrayBuffer(size);
      const view = new DataView(buffer);
      const u8 = new Uint8Array(buffer);
      u8[layout.header.kind] = kind;
      u8[layout.header.action] = action;
      view.setUint16(layout.header.length, size, true);
      return { buffer, view, u8 };
    }

    it('a route record written at the addon’s offsets decodes field for field', () => {
      const R = layout.route;
      const { buffer, view, u8 } = record(layout.kind.route, layout.action.listed, R.size);
      u8[R.family] = 4;
      u8[R.prefix] = 23;
      u8[R.protocol] = 176;
      u8[R.scope] = 253;
      u8[R.type] = 1;
      u8[R.bits] = R.hasGateway | R.hasMetric | R.multipath;
      view.setUint32(R.table, 1000, true);
      view.setUint32(R.oif, 7, true);
      view.setUint32(R.metric, 42, true);
      u8.set([10, 9, 8, 0], R.dst);
      u8.set([10, 9, 8, 1], R.gateway);
      u8.set([10, 9, 8, 2], R.prefsrc); // present but not flagged: must not show
      expect(decodeRoutes(buffer)).toEqual([
        {
          family: 4,
          dst: '10.9.8.0',
          prefix: 23,
          table: 1000,
          protocol: 176,
          scope: 253,
          type: 1,
          oif: 7,
          gateway: '10.9.8.1',
          prefsrc: null,
          metric: 42,
          multipath: true,
        },
      ]);
    });

    it('a link record written at the addon’s offsets decodes field for field', () => {
      const L = layout.link;
      const { buffer, view, u8 } = record(layout.kind.link, layout.action.listed, L.size);
      view.setUint32(L.index, 12, true);
      view.setUint32(L.flags, 0x1003, true);
      view.setUint32(L.mtu, 9000, true);
      view.setUint32(L.master, 3, true);
      u8[L.operstate] = 6; // IF_OPER_UP
      u8[L.nameLength] = 4;
      u8.set(Buffer.from('eth7'), L.name);
      u8[L.kindLength] = 4;
      u8.set(Buffer.from('veth'), L.kind);
      u8[L.macLength] = 6;
      u8.set([0x52, 0x54, 0, 0x12, 0x34, 0x56], L.mac);
      expect(decodeLinks(buffer)).toEqual([
        { index: 12, name: 'eth7', kind: 'veth', master: 3, mac: '52:54:00:12:34:56', flags: 0x1003, mtu: 9000, up: true, operstate: 'up' },
      ]);
    });

    it('an FDB record written at the addon’s offsets decodes field for field', () => {
      const F = layout.fdb;
      const { buffer, view, u8 } = record(layout.kind.fdb, layout.action.listed, F.size);
      view.setUint32(F.ifindex, 5, true);
      view.setUint32(F.master, 4, true);
      view.setInt32(F.vlan, 10, true);
      view.setUint16(F.state, 0x80, true);
      u8[F.flags] = 0x02;
      u8[F.bits] = F.hasMac;
      u8.set([2, 0, 0, 0, 0, 9], F.mac);
      u8[F.dstFamily] = 4;
      u8.set([192, 0, 2, 1], F.dst);
      expect(decodeFdb(buffer)).toEqual([
        { mac: '02:00:00:00:00:09', ifindex: 5, master: 4, vlan: 10, state: 0x80, flags: 0x02, dst: '192.0.2.1' },
      ]);
    });

    it('a monitor batch keeps each record’s action, as the addon numbers them, and reads an overrun', () => {
      const R = layout.route;
      const added = record(layout.kind.route, layout.action.new, R.size);
      added.u8[R.family] = 6;
      const removed = record(layout.kind.link, layout.action.deleted, layout.link.size);
      const overrun = record(layout.kind.overrun, layout.action.listed, layout.header.size);
      const batch = Buffer.concat([added.u8, removed.u8, overrun.u8]);
      const events = decodeRecords(batch.buffer.slice(batch.byteOffset, batch.byteOffset + batch.byteLength));
      expect(events.map((e) => (e.kind === 'overrun' ? 'overrun' : `${e.kind}:${e.action}`))).toEqual([
        'route:new',
        'link:removed',
        'overrun',
      ]);
    });
  });

  it('route changes: the kernel numbers the defaults use are the ones constants.ts names', () => {
    const { kernel, routeOp, routeChange } = native.netlink.constants;
    expect(MAIN_TABLE).toBe(kernel.RT_TABLE_MAIN);
    expect(
      [kernel.RTPROT_UNSPEC, kernel.RTPROT_BOOT]
        .map(routeProtocolName)
        .concat(
          [kernel.RT_SCOPE_UNIVERSE, kernel.RT_SCOPE_LINK, kernel.RT_SCOPE_NOWHERE].map(routeScopeName),
          [kernel.RTN_UNSPEC, kernel.RTN_UNICAST].map(routeTypeName),
        ),
    ).toEqual(['unspec', 'boot', 'universe', 'link', 'nowhere', 'unspec', 'unicast']);
    expect(new Set(Object.values(routeOp)).size).toBe(3);
    const slots = ['op', 'prefix', 'table', 'protocol', 'scope', 'type', 'oif', 'metric', 'bits'] as const;
    expect(slots.map((s) => routeChange[s]).sort((a, b) => a - b)).toEqual([...Array(routeChange.length).keys()]);
  });

  it('a receive batch reads length, flags and credentials at the addon’s slots', () => {
    const { receiveMeta: M, receiveFlag } = native.dgram.constants;
    const meta = new Int32Array(2 * M.stride);
    const second = M.stride;
    meta[second + M.length] = 5000;
    meta[second + M.flags] = receiveFlag.truncated | receiveFlag.fdsClosed;
    meta[second + M.pid] = 1234;
    meta[second + M.uid] = -2; // 4294967294, as the kernel's u32 reads back through an Int32Array
    meta[second + M.gid] = 100;
    const batch = new ReceivedBatch(new Uint8Array(2 * 4096), meta, 4096);
    expect(batch.info(1)).toEqual({ length: 5000, truncated: true, pid: 1234, uid: 4294967294, gid: 100, fdsClosed: true });
    expect(batch.storedLength(1)).toBe(4096);
  });

  it('send results: OutcomeCode is the addon’s, and a result splits at the addon’s errno shift', () => {
    const { sendOutcome, sendResult } = native.dgram.constants;
    expect(OutcomeCode).toEqual({
      Sent: sendOutcome.sent,
      QueueFull: sendOutcome.queueFull,
      NoObserver: sendOutcome.noObserver,
      PeerGone: sendOutcome.peerGone,
      StorageFull: sendOutcome.storageFull,
      Failed: sendOutcome.failed,
    });
    expect(native.dgram.classifySendErrno(105 /* ENOBUFS */, false)).toBe(OutcomeCode.QueueFull);
    expect(outcomeOf(sendOutcome.queueFull | (11 << sendResult.errnoShift))).toMatchObject({
      label: 'dropped: kernel queue full',
      errno: 11,
      code: 'EAGAIN',
    });
    expect(outcomeOf(sendOutcome.failed | (90 << sendResult.errnoShift))).toMatchObject({ label: 'failed: EMSGSIZE', errno: 90 });
  });

  describe('VLP', () => {
    const { decodeSlot, result, encodeField, fieldError } = native.vlp.constants;

    it('decodeInto fills the addon’s slots: Field and FIELD_COUNT are those slots', () => {
      expect(FIELD_COUNT).toBe(decodeSlot.count);
      const frame = { version: 2, status: 1, pid: 4242, timestamp: 2n ** 40n + 3n, nonce: 2n ** 33n + 5n, payload: 77n } as const;
      const fields = new Uint32Array(FIELD_COUNT);
      expect(decodeInto(encodeFrame(frame), 0, 32, fields)).toBe(result.Ok);
      expect(fields[Field.Pid]).toBe(4242);
      expect(fields[decodeSlot.timestampHi]).toBe(2 ** 8);
      expect([fields[Field.TimestampLo], fields[Field.NonceLo], fields[Field.NonceHi], fields[Field.PayloadLo]]).toEqual([3, 5, 2, 77]);
      expect(fields[Field.CrcExpected]).toBe(fields[Field.CrcActual]);
    });

    it('result codes: the spec’s kinds, in the spec’s order (the observer counts by code - 1)', () => {
      expect(DECODE_ERROR_KINDS.map((kind) => result[kind])).toEqual(DECODE_ERROR_KINDS.map((_, i) => i + 1));
      for (const kind of DECODE_ERROR_KINDS) expect(kindOfResult(result[kind])).toBe(kind);
      const short = new Uint32Array(FIELD_COUNT);
      expect(kindOfResult(decodeInto(new Uint8Array(31), 0, 31, short))).toBe('BadLength');
    });

    it('encodeInto’s field errors: the addon’s bits and field numbers name the field', () => {
      expect([FIELD_TYPE, FIELD_RANGE]).toEqual([fieldError.type, fieldError.range]);
      for (const field of ENCODE_FIELDS) {
        const frame = { version: 2, status: 0, pid: 2, timestamp: 1, nonce: 1, payload: 1 };
        expect(encodeError(fieldError.type | encodeField[field], frame)).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
        expect(encodeError(fieldError.range | encodeField[field], frame).message).toContain(`"frame.${field}"`);
      }
    });
  });
});
