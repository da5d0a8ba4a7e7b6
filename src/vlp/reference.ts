// The TypeScript reference codec: the same rules as the addon, in plain JS,
// for decoding where the addon is not loaded and as a cross-check in tests.
import { FRAME_SIZE, MAGIC, NONCE_TERMINAL, Status, TIMESTAMP_RESERVED, VLP_V1, VLP_V2, type StatusCode } from './constants.js';
import { checkOptions, invalidArg } from '../common/args.js';
import {
  describeKind,
  fieldRangeError,
  fieldTypeError,
  VlpDecodeError,
  VlpEncodeError,
  type DecodeErrorKind,
  type EncodeField,
} from './errors.js';
import type { VlpFrame } from './frame.js';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), bytewise. */
export function referenceCrc32c(bytes: Uint8Array): number {
  if (!(bytes instanceof Uint8Array)) throw invalidArg('bytes', 'a Uint8Array', bytes);
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return (crc ^ 0xffffffff) >>> 0;
}

const U32_MAX = 0xffff_ffffn;
const U64_MAX = 0xffff_ffff_ffff_ffffn;

function fieldError(status: number, pid: number, timestamp: bigint, nonce: bigint): DecodeErrorKind | null {
  if (status < 0 || status > Status.Stall) return 'BadStatus';
  if (status === Status.Stall) return 'StallOnWire';
  if (pid <= 1) return 'BadPid';
  if (timestamp === TIMESTAMP_RESERVED) return 'BadTimestamp';
  if (nonce === NONCE_TERMINAL && status !== Status.Critical) return 'BadNonce';
  return null;
}

type Checked<T> = T | TypeError | RangeError;

// Node's integer rule: not a number is the type error; NaN, a fraction or a
// value outside [0, max] is the range error.
function integerField(field: EncodeField, frame: VlpFrame, max: number): Checked<number> {
  const value: unknown = frame[field];
  if (typeof value !== 'number') return fieldTypeError(field, frame);
  return Number.isInteger(value) && value >= 0 && value <= max ? value : fieldRangeError(field, frame);
}

// A u64 field: an integer number or a bigint in 0..max.
function u64Field(field: EncodeField, frame: VlpFrame, max: bigint): Checked<bigint> {
  const value: unknown = frame[field];
  if (typeof value === 'number' && !Number.isInteger(value)) return fieldRangeError(field, frame);
  if (typeof value !== 'number' && typeof value !== 'bigint') return fieldTypeError(field, frame);
  const n = BigInt(value);
  return n < 0n || n > max ? fieldRangeError(field, frame) : n;
}

/**
 * Encodes a frame into a new 32-byte array. Refuses exactly what the native
 * encoder refuses, with the same errors, checked in the same order: each
 * field's type and range first (version, status, pid, timestamp, nonce,
 * payload), then the wire rules (BadVersion, then the decoder's field rules).
 */
export function referenceEncode(frame: VlpFrame): Uint8Array {
  if (typeof frame !== 'object' || frame === null) throw invalidArg('frame', 'an object', frame);
  const version = integerField('version', frame, 0xff);
  if (typeof version !== 'number') throw version;
  const status = integerField('status', frame, 0xff);
  if (typeof status !== 'number') throw status;
  const pid = integerField('pid', frame, 0xffff_ffff);
  if (typeof pid !== 'number') throw pid;
  const timestamp = u64Field('timestamp', frame, U64_MAX);
  if (typeof timestamp !== 'bigint') throw timestamp;
  const nonce = u64Field('nonce', frame, U64_MAX);
  if (typeof nonce !== 'bigint') throw nonce;
  const payload = u64Field('payload', frame, version === VLP_V2 ? U32_MAX : U64_MAX);
  if (typeof payload !== 'bigint') throw payload;
  const problem = version !== VLP_V1 && version !== VLP_V2 ? 'BadVersion' : fieldError(status, pid, timestamp, nonce);
  if (problem) throw new VlpEncodeError(problem, describeKind(problem));
  const out = new Uint8Array(FRAME_SIZE);
  const view = new DataView(out.buffer);
  out[0] = MAGIC[0];
  out[1] = MAGIC[1];
  out[2] = version;
  out[3] = status;
  view.setUint32(4, pid, true);
  view.setBigUint64(8, timestamp, true);
  view.setBigUint64(16, nonce, true);
  if (version === VLP_V1) {
    view.setBigUint64(24, payload, true);
  } else {
    view.setUint32(24, Number(payload), true);
    view.setUint32(28, referenceCrc32c(out.subarray(0, 28)), true);
  }
  return out;
}

/** Decodes v0.2 (and, unless `strictV2`, v0.1); throws VlpDecodeError. */
export function referenceDecode(bytes: Uint8Array, options: { strictV2?: boolean } = {}): VlpFrame {
  if (!(bytes instanceof Uint8Array)) throw invalidArg('bytes', 'a Uint8Array', bytes);
  checkOptions(options);
  const fail = (kind: DecodeErrorKind, expected?: number, actual?: number): never => {
    throw new VlpDecodeError(
      kind,
      kind === 'BadLength' ? `got ${bytes.length} bytes; ${describeKind(kind)}` : describeKind(kind),
      expected,
      actual,
    );
  };
  if (bytes.length !== FRAME_SIZE) fail('BadLength');
  if (bytes[0] !== MAGIC[0] || bytes[1] !== MAGIC[1]) fail('BadMagic');
  const version = bytes[2]!;
  if (version !== VLP_V2 && (options.strictV2 || version !== VLP_V1)) fail('BadVersion');
  const view = new DataView(bytes.buffer, bytes.byteOffset, FRAME_SIZE);
  const status = bytes[3]!;
  const pid = view.getUint32(4, true);
  const timestamp = view.getBigUint64(8, true);
  const nonce = view.getBigUint64(16, true);
  if (version === VLP_V1) {
    if (status >= Status.Stall) fail('BadStatus');
    return { version: VLP_V1, status: status as StatusCode, pid, timestamp, nonce, payload: view.getBigUint64(24, true) };
  }
  const actual = view.getUint32(28, true);
  const expected = referenceCrc32c(bytes.subarray(0, 28));
  if (actual !== expected) fail('BadCrc', expected, actual);
  const problem = fieldError(status, pid, timestamp, nonce);
  if (problem) fail(problem);
  return { version: VLP_V2, status: status as StatusCode, pid, timestamp, nonce, payload: BigInt(view.getUint32(24, true)) };
}
