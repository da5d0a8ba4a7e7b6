import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  encodeFrame,
  NONCE_TERMINAL,
  parseStatus,
  referenceDecode,
  referenceEncode,
  Status,
  VlpDecodeError,
  VlpEncodeError,
  type VlpFrame,
} from '../../src/vlp/index.js';

function outcome(decode: () => VlpFrame): string {
  try {
    return JSON.stringify(decode(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch (err) {
    return (err as VlpDecodeError).kind;
  }
}

describe('VLP codec', () => {
  it('v0.1: payload u64 at 24..32, no CRC; decoded by branching on byte 2', () => {
    const frame: VlpFrame = { version: 1, status: Status.Degraded, pid: 4242, timestamp: 7n, nonce: 9n, payload: 0x1122334455667788n };
    const wire = encodeFrame(frame);
    expect(wire[2]).toBe(1);
    expect(wire.readBigUInt64LE(24)).toBe(0x1122334455667788n);
    expect(Buffer.from(referenceEncode(frame)).equals(wire)).toBe(true);
    expect(decodeFrame(wire)).toEqual(frame);
    expect(referenceDecode(wire)).toEqual(frame);
    expect(() => decodeFrame(wire, { strictV2: true })).toThrow(expect.objectContaining({ kind: 'BadVersion' }));
    wire[3] = 7;
    expect(() => decodeFrame(wire)).toThrow(expect.objectContaining({ kind: 'BadStatus' }));
  });

  it('a datagram that is not exactly 32 bytes is its own kind, before magic', () => {
    for (const len of [0, 31, 33, 64]) {
      const bytes = Buffer.alloc(len, 0x56);
      expect(outcome(() => decodeFrame(bytes))).toBe('BadLength');
      expect(outcome(() => referenceDecode(bytes))).toBe('BadLength');
    }
  });

  it('refuses to encode what a decoder would reject', () => {
    const base: VlpFrame = { version: 2, status: Status.Ok, pid: 100, timestamp: 1n, nonce: 1n, payload: 0n };
    expect(() => encodeFrame({ ...base, status: Status.Stall })).toThrow(expect.objectContaining({ kind: 'StallOnWire' }));
    expect(() => encodeFrame({ ...base, pid: 1 })).toThrow(expect.objectContaining({ kind: 'BadPid' }));
    expect(() => encodeFrame({ ...base, timestamp: 0xffff_ffff_ffff_ffffn })).toThrow(VlpEncodeError);
    expect(() => encodeFrame({ ...base, nonce: NONCE_TERMINAL })).toThrow(expect.objectContaining({ kind: 'BadNonce' }));
    expect(() => encodeFrame({ ...base, payload: 1n << 32n })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(encodeFrame({ ...base, status: Status.Critical, nonce: NONCE_TERMINAL }).length).toBe(32);
  });

  it('native and reference decoders agree on 20,000 random and mutated frames', () => {
    const valid = encodeFrame({ version: 2, status: Status.Ok, pid: 1234, timestamp: 99n, nonce: 5n, payload: 77n });
    for (let i = 0; i < 20_000; i++) {
      let bytes: Buffer;
      if (i % 3 === 0) bytes = randomBytes(32);
      else {
        bytes = Buffer.from(valid);
        bytes[i % 32]! ^= 1 << (i % 8); // one flipped bit anywhere
        if (i % 5 === 0) bytes[2] = i % 2 ? 1 : 2;
      }
      expect(outcome(() => decodeFrame(bytes))).toBe(outcome(() => referenceDecode(bytes)));
    }
  });

  it('parses statuses and refuses Stall as input', () => {
    expect(parseStatus('ok')).toBe(0);
    expect(parseStatus('Critical')).toBe(2);
    expect(() => parseStatus('stall')).toThrow(expect.objectContaining({ code: 'ERR_VLP_INVALID_STATUS' }));
    expect(() => parseStatus('great')).toThrow('expected ok, degraded or critical');
  });
});
