// The native VLP codec (C++, hardware CRC-32C): the same results as the
// reference codec, without allocating on the hot paths.
import { native } from '../native.js';
import { FRAME_SIZE, VLP_V2, type StatusCode, type VlpVersion } from './constants.js';
import { checkOptions, invalidArg } from '../common/args.js';
import { describeKind, encodeError, kindOfResult, VlpDecodeError } from './errors.js';
import type { VlpFrame } from './frame.js';

const vlp = native.vlp;
const slot = vlp.constants.decodeSlot;

/** Field slots of `decodeInto`'s Uint32Array. */
export const Field = Object.freeze({
  Version: slot.version,
  Status: slot.status,
  Pid: slot.pid,
  TimestampLo: slot.timestampLo,
  TimestampHi: slot.timestampHi,
  NonceLo: slot.nonceLo,
  NonceHi: slot.nonceHi,
  PayloadLo: slot.payloadLo,
  PayloadHi: slot.payloadHi,
  CrcExpected: slot.crcExpected,
  CrcActual: slot.crcActual,
});
/** The length of `decodeInto`'s Uint32Array. */
export const FIELD_COUNT = slot.count;

export function crc32c(bytes: Uint8Array): number {
  return vlp.crc32c(bytes);
}

/** Which CRC-32C implementation the addon chose at run time. */
export const crc32cImplementation: 'sse4.2' | 'armv8-crc' | 'table' = vlp.crc32cImplementation;

/** The table implementation, whatever the CPU (for tests and benchmarks). */
export function crc32cTable(bytes: Uint8Array): number {
  return vlp.crc32cTable(bytes);
}

/**
 * Encodes into `out` at `offset` (32 bytes). Throws VlpEncodeError for a frame
 * the wire cannot carry, ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE for a field
 * of the wrong type or range (never wraps); the reference encoder throws the same.
 */
export function encodeInto(out: Uint8Array, offset: number, frame: VlpFrame): void {
  if (typeof frame !== 'object' || frame === null) throw invalidArg('frame', 'an object', frame);
  const r = vlp.encodeInto(out, offset, frame.version, frame.status, frame.pid, frame.timestamp, frame.nonce, frame.payload);
  if (r !== 0) throw encodeError(r, frame);
}

export function encodeFrame(frame: VlpFrame): Buffer {
  const out = Buffer.alloc(FRAME_SIZE);
  encodeInto(out, 0, frame);
  return out;
}

/**
 * Low-level decode: fills `fields` (Uint32Array(FIELD_COUNT), see `Field`)
 * and returns 0 or the error's result code. Allocates nothing.
 */
export function decodeInto(bytes: Uint8Array, offset: number, length: number, fields: Uint32Array, strictV2 = false): number {
  return vlp.decodeInto(bytes, offset, length, fields, strictV2);
}

const scratch = new Uint32Array(FIELD_COUNT);
const u64 = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo);

/** Decodes v0.2 (and v0.1 unless `strictV2`); throws VlpDecodeError. */
export function decodeFrame(bytes: Uint8Array, options: { strictV2?: boolean } = {}): VlpFrame {
  if (!(bytes instanceof Uint8Array)) throw invalidArg('bytes', 'a Uint8Array', bytes);
  checkOptions(options);
  const r = vlp.decodeInto(bytes, 0, bytes.length, scratch, options.strictV2 === true);
  if (r !== 0) {
    const kind = kindOfResult(r);
    const detail = kind === 'BadLength' ? `got ${bytes.length} bytes; ${describeKind(kind)}` : describeKind(kind);
    return kind === 'BadCrc'
      ? fail(new VlpDecodeError(kind, detail, scratch[Field.CrcExpected], scratch[Field.CrcActual]))
      : fail(new VlpDecodeError(kind, detail));
  }
  const version = scratch[Field.Version] as VlpVersion;
  return {
    version,
    status: scratch[Field.Status] as StatusCode,
    pid: scratch[Field.Pid]!,
    timestamp: u64(scratch[Field.TimestampLo]!, scratch[Field.TimestampHi]!),
    nonce: u64(scratch[Field.NonceLo]!, scratch[Field.NonceHi]!),
    payload: version === VLP_V2 ? BigInt(scratch[Field.PayloadLo]!) : u64(scratch[Field.PayloadLo]!, scratch[Field.PayloadHi]!),
  };
}

function fail(err: VlpDecodeError): never {
  throw err;
}
