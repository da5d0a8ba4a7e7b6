// The TypeScript reference codec: the same rules as the addon, in plain JS,
// for decoding where the addon is not loaded and as a cross-check in tests.
import { checkInteger, invalidArg, outOfRange } from '../common/args.js';
import { FRAME_SIZE, MAGIC, NONCE_TERMINAL, Status, TIMESTAMP_RESERVED, VLP_V1, VLP_V2, type StatusCode } from './constants.js';
import { describeKind, VlpDecodeError, VlpEncodeError, type DecodeErrorKind } from './errors.js';
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
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return (crc ^ 0xffffffff) >>> 0;
}

function fieldError(status: number, pid: number, timestamp: bigint, nonce: bigint): DecodeErrorKind | null {
  if (status > Status.Stall) return 'BadStatus';
  if (status === Status.Stall) return 'StallOnWire';
  if (pid <= 1) return 'BadPid';
  if (timestamp === TIMESTAMP_RESERVED) return 'BadTimestamp';
  if (nonce === NONCE_TERMINAL && status !== Status.Critical) return 'BadNonce';
  return null;
}

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** The addon's argument rules: numbers never wrap into the frame's fields. */
function checkNumbers(frame: VlpFrame): void {
  checkInteger('version', frame.version, 0, 0xff);
  checkInteger('status', frame.status, 0, 0xff);
  checkInteger('pid', frame.pid, 0, 0xffff_ffff);
  for (const name of ['timestamp', 'nonce', 'payload'] as const) {
    const value: unknown = frame[name];
    if (typeof value !== 'bigint') throw invalidArg(name, 'a bigint', value);
    if (value < 0n || value > U64_MAX) throw outOfRange(name, `>= 0 and <= ${U64_MAX}`, value);
  }
  if (frame.version === VLP_V2 && frame.payload > 0xffff_ffffn) throw outOfRange('payload', 'a u32 in VLP v0.2', frame.payload);
}

export function referenceEncode(frame: VlpFrame): Uint8Array {
  checkNumbers(frame);
  if (frame.version !== VLP_V1 && frame.version !== VLP_V2) throw new VlpEncodeError('BadVersion', describeKind('BadVersion'));
  const problem = fieldError(frame.status, frame.pid, frame.timestamp, frame.nonce);
  if (problem) throw new VlpEncodeError(problem, describeKind(problem));
  const out = new Uint8Array(FRAME_SIZE);
  const view = new DataView(out.buffer);
  out[0] = MAGIC[0];
  out[1] = MAGIC[1];
  out[2] = frame.version;
  out[3] = frame.status;
  view.setUint32(4, frame.pid, true);
  view.setBigUint64(8, frame.timestamp, true);
  view.setBigUint64(16, frame.nonce, true);
  if (frame.version === VLP_V1) {
    view.setBigUint64(24, frame.payload, true);
  } else {
    view.setUint32(24, Number(frame.payload), true);
    view.setUint32(28, referenceCrc32c(out.subarray(0, 28)), true);
  }
  return out;
}

/** Decodes v0.2 (and, unless `strictV2`, v0.1); throws VlpDecodeError. */
export function referenceDecode(bytes: Uint8Array, options: { strictV2?: boolean } = {}): VlpFrame {
  const fail = (kind: DecodeErrorKind, expected?: number, actual?: number): never => {
    throw new VlpDecodeError(kind, kind === 'BadLength' ? `got ${bytes.length} bytes; ${describeKind(kind)}` : describeKind(kind), expected, actual);
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
