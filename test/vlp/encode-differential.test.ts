// The native and TypeScript reference encoders, side by side over random
// frames in and out of range: both succeed with identical bytes, or both throw
// the same error (class, code, message, kind). Seeded, so a failure replays.
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  NONCE_TERMINAL,
  referenceEncode,
  Status,
  TIMESTAMP_RESERVED,
  VlpEncodeError,
  type VlpFrame,
} from '../../src/vlp/index.js';

/** splitmix32: small, fast, and the same sequence on every run for a seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

type Outcome = { ok: true; hex: string } | { ok: false; class: string; code: unknown; kind: unknown; message: string };

function outcome(encode: () => Uint8Array): Outcome {
  try {
    return { ok: true, hex: Buffer.from(encode()).toString('hex') };
  } catch (err) {
    const e = err as Error & { code?: unknown; kind?: unknown };
    return { ok: false, class: e.constructor.name, code: e.code, kind: e.kind, message: e.message };
  }
}

const U32 = 2 ** 32;
const U64 = 1n << 64n;

function cases(seed: number, count: number): unknown[] {
  const next = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[next() % items.length]!;
  const u32 = () => next();
  const u64 = () => (BigInt(next()) << 32n) | BigInt(next());
  // Mostly in range (so the wire rules and the bytes get exercised), some of every kind of wrong.
  const version = () => pick<unknown>([2, 2, 2, 1, 1, 0, 3, 255, 256, -1, 1.5, NaN, Infinity, 2n, '2', undefined, null, -0, 2 ** 40]);
  const status = () => pick<unknown>([0, 1, 2, 0, 1, 2, 3, 4, 255, 256, -1, 0.5, '0', 0n, undefined, u32(), -0]);
  const pid = () =>
    pick<() => unknown>([
      u32,
      u32,
      u32,
      () => 2 + (next() % 100_000),
      () => 0,
      () => 1,
      () => 2,
      () => U32 - 1,
      () => U32,
      () => -1,
      () => -u32(),
      () => 1.5,
      () => NaN,
      () => 7n,
      () => '42',
      () => u32() + U32,
      () => -0,
    ])();
  const u64Field = (special: bigint) =>
    pick<() => unknown>([
      u64,
      u64,
      () => BigInt(u32()),
      () => u32(),
      () => Number(u64()), // a double above 2^53: an integer, and a valid u64 unless it rounds to 2^64
      () => special,
      () => special - 1n,
      () => 0n,
      () => 0,
      () => -1,
      () => -1n,
      () => -BigInt(u32()) - 1n,
      () => U64,
      () => U64 + BigInt(u32()),
      () => 2 ** 64,
      () => 2 ** 70,
      () => 0.25,
      () => Number.MAX_SAFE_INTEGER + 0.5,
      () => NaN,
      () => -Infinity,
      () => 'x',
      () => undefined,
      () => ({}),
    ])();
  const payload = () =>
    pick<() => unknown>([
      () => BigInt(u32()),
      () => u32(),
      () => 0n,
      () => BigInt(U32 - 1),
      () => BigInt(U32),
      () => U32,
      u64,
      () => u64Field(0n),
    ])();
  // Each field valid most of the time, so whole frames often are and the bytes get compared too.
  const valid = {
    version: () => pick([1, 2, 2]),
    status: () => pick([0, 1, 2]),
    pid: () => 2 + (u32() % (U32 - 2)),
    timestamp: () => (next() % 2 ? u64() % TIMESTAMP_RESERVED : u32()),
    nonce: () => (next() % 2 ? u64() % NONCE_TERMINAL : u32()),
    payload: () => (next() % 2 ? BigInt(u32()) : u32()),
  };
  const any = {
    version,
    status,
    pid,
    timestamp: () => u64Field(TIMESTAMP_RESERVED),
    nonce: () => u64Field(NONCE_TERMINAL),
    payload,
  };
  const frames: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const frame: Record<string, unknown> = {};
    for (const field of ['version', 'status', 'pid', 'timestamp', 'nonce', 'payload'] as const) {
      frame[field] = next() % 100 < 85 ? valid[field]() : any[field]();
    }
    if (frame.version === 1 && next() % 2) frame.payload = u64(); // v0.1 carries a u64 payload
    if (next() % 8 === 0) frame.status = Status.Critical; // NONCE_TERMINAL is legal only with Critical
    if (next() % 50 === 0) delete frame[pick(Object.keys(frame))];
    frames.push(next() % 500 === 0 ? pick([null, undefined, 7, 'frame']) : frame);
  }
  return frames;
}

describe('native vs reference encoder', () => {
  it('agree on 20,000 seeded random frames, in and out of range: same bytes or the same error', () => {
    const seen = new Map<string, number>();
    for (const frame of cases(0x5eed_0001, 20_000)) {
      const native = outcome(() => encodeFrame(frame as VlpFrame));
      const reference = outcome(() => referenceEncode(frame as VlpFrame));
      if (JSON.stringify(native) !== JSON.stringify(reference)) {
        // One readable failure with the frame that caused it, not 20,000 lines.
        expect({ frame: String(JSON.stringify(frame, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))), reference }).toEqual({
          frame: String(JSON.stringify(frame, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))),
          reference: native,
        });
      }
      const key = native.ok ? 'ok' : `${native.class}:${String(native.code)}:${String(native.kind)}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    // The generator reaches every outcome, so agreement means something.
    expect([...seen.keys()].sort()).toEqual(
      [
        'ok',
        'TypeError:ERR_INVALID_ARG_TYPE:undefined',
        'RangeError:ERR_OUT_OF_RANGE:undefined',
        ...['BadVersion', 'BadStatus', 'StallOnWire', 'BadPid', 'BadTimestamp', 'BadNonce'].map(
          (k) => `VlpEncodeError:ERR_VLP_ENCODE:${k}`,
        ),
      ].sort(),
    );
    expect(seen.get('ok')!).toBeGreaterThan(2_000);
  });

  it("refuses, never wraps: negative and > 2^64-1 u64s, pid > 2^32-1, version/status > 255, non-integers (Node's integer rule), unknown versions", () => {
    const base: VlpFrame = { version: 2, status: Status.Ok, pid: 100, timestamp: 1n, nonce: 1n, payload: 0n };
    const both = (frame: unknown, expected: object) => {
      expect(() => encodeFrame(frame as VlpFrame)).toThrow(expect.objectContaining(expected));
      expect(() => referenceEncode(frame as VlpFrame)).toThrow(expect.objectContaining(expected));
    };
    const range = { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' };
    both(
      { ...base, pid: 2 ** 32 + 5 },
      { ...range, message: 'The "frame.pid" option must be >= 0 and <= 4294967295; received 4294967301' },
    );
    both({ ...base, pid: -1 }, range);
    both(
      { ...base, timestamp: -1n },
      { ...range, message: 'The "frame.timestamp" option must be >= 0 and <= 18446744073709551615; received -1n' },
    );
    both({ ...base, nonce: 1n << 64n }, range);
    both({ ...base, nonce: 2 ** 64 }, range);
    both(
      { ...base, payload: 2n ** 32n },
      { ...range, message: 'The "frame.payload" option must be >= 0 and <= 4294967295; received 4294967296n' },
    );
    both({ ...base, version: 1, payload: 2n ** 64n }, range);
    both({ ...base, pid: 1.5 }, { ...range, message: 'The "frame.pid" option must be >= 0 and <= 4294967295; received 1.5' });
    both({ ...base, version: 2.5 }, range);
    both({ ...base, nonce: NaN }, range);
    both({ ...base, pid: '100' }, { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    both(
      { ...base, timestamp: 'soon' },
      { code: 'ERR_INVALID_ARG_TYPE', message: 'The "frame.timestamp" option must be a number or a bigint; received "soon"' },
    );
    both({ ...base, version: 3 }, { code: 'ERR_VLP_ENCODE', kind: 'BadVersion' });
    both({ ...base, version: 258 }, { ...range, message: 'The "frame.version" option must be >= 0 and <= 255; received 258' });
    both({ ...base, status: 4 }, { code: 'ERR_VLP_ENCODE', kind: 'BadStatus' });
    both({ ...base, status: 258 }, range);
    both({ ...base, timestamp: TIMESTAMP_RESERVED }, { code: 'ERR_VLP_ENCODE', kind: 'BadTimestamp' });
    both({ ...base, nonce: NONCE_TERMINAL }, { code: 'ERR_VLP_ENCODE', kind: 'BadNonce' });
    both(null, { code: 'ERR_INVALID_ARG_TYPE', message: 'The "frame" option must be an object; received null' });
    expect(() => encodeFrame({ ...base, pid: 2 ** 32 + 5 })).toThrow(RangeError);
    expect(() => encodeFrame({ ...base, version: 3 as 2 })).toThrow(VlpEncodeError);
  });
});
