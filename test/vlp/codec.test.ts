import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  decodeInto,
  encodeFrame,
  encodeInto,
  FIELD_COUNT,
  NONCE_TERMINAL,
  parseStatus,
  referenceDecode,
  referenceEncode,
  Status,
  type VlpDecodeError,
  VlpEncodeError,
  type StatusCode,
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

describe('VLP codec numbers are checked, never wrapped', () => {
  const base: VlpFrame = { version: 2, status: Status.Ok, pid: 100, timestamp: 1n, nonce: 1n, payload: 0n };
  const wrapping: [string, number][] = [
    ['2**32', 2 ** 32],
    ['2**32+1', 2 ** 32 + 1],
    ['-1', -1],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['1.5', 1.5],
    ['2**64', 2 ** 64],
  ];

  it.each(wrapping)('encodeInto offset %s is ERR_OUT_OF_RANGE and writes nothing', (_label, offset) => {
    const out = Buffer.alloc(64);
    expect(() => encodeInto(out, offset, base)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(out.equals(Buffer.alloc(64))).toBe(true);
  });

  it.each(wrapping)('frame status, version and pid %s are ERR_OUT_OF_RANGE, natively and in the reference codec', (_label, value) => {
    for (const field of ['status', 'version', 'pid'] as const) {
      const frame = { ...base, [field]: value };
      for (const encode of [encodeFrame, referenceEncode]) {
        expect(() => encode(frame), `${encode.name} ${field}`).toThrow(
          expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', message: expect.stringContaining(`"frame.${field}"`) }),
        );
      }
    }
  });

  it('a non-number field is ERR_INVALID_ARG_TYPE; u64 fields still take numbers or bigints', () => {
    expect(() => encodeFrame({ ...base, pid: 100n as unknown as number })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => encodeFrame({ ...base, status: '0' as unknown as StatusCode })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(decodeFrame(encodeFrame({ ...base, pid: 2 ** 32 - 1, nonce: 7 as unknown as bigint }))).toMatchObject({
      pid: 2 ** 32 - 1,
      nonce: 7n,
    });
  });

  it('u64 fields: 2^64 as a number and negative bigints are ERR_OUT_OF_RANGE; the reference codec agrees', () => {
    const outOfRange = expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' });
    expect(() => encodeFrame({ ...base, timestamp: (2 ** 64) as unknown as bigint })).toThrow(outOfRange);
    expect(() => encodeFrame({ ...base, timestamp: 1.5 as unknown as bigint })).toThrow(outOfRange);
    for (const encode of [encodeFrame, referenceEncode]) {
      expect(() => encode({ ...base, nonce: -1n })).toThrow(outOfRange); // not NONCE_TERMINAL in disguise
      expect(() => encode({ ...base, timestamp: 2n ** 64n })).toThrow(outOfRange);
      expect(() => encode({ ...base, payload: 2n ** 32n })).toThrow(outOfRange);
      expect(() => encode({ ...base, version: 7 as never })).toThrow(expect.objectContaining({ kind: 'BadVersion' }));
    }
  });

  it.each(wrapping)('decodeInto offset or length %s is ERR_OUT_OF_RANGE', (_label, value) => {
    const bytes = Buffer.concat([encodeFrame(base), encodeFrame(base)]);
    const fields = new Uint32Array(FIELD_COUNT);
    expect(() => decodeInto(bytes, value, 32, fields)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => decodeInto(bytes, 0, value === -1 ? -1 : value + 32, fields)).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(fields.every((f) => f === 0)).toBe(true);
    expect(decodeInto(bytes, 32, 32, fields)).toBe(0);
  });
});
