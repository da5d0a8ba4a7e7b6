// Decode errors, named exactly as the VLP spec names them, in its order.
import { invalidArg, outOfRange } from '../common/args.js';
import { HostwireError, HostwireTypeError } from '../common/errors.js';
import { native } from '../native.js';

const { result: RESULT, encodeField: ENCODE_FIELD, fieldError: FIELD_ERROR } = native.vlp.constants;

export const DECODE_ERROR_KINDS = Object.freeze([
  'BadLength', // not exactly 32 bytes (a datagram-level check before the spec's list)
  'BadMagic',
  'BadVersion',
  'BadCrc',
  'BadStatus',
  'StallOnWire',
  'BadPid',
  'BadTimestamp',
  'BadNonce',
] as const);
export type DecodeErrorKind = (typeof DECODE_ERROR_KINDS)[number];

// The addon's result codes, by the spec's names: kind by code.
const KIND_OF_RESULT: DecodeErrorKind[] = [];
for (const kind of DECODE_ERROR_KINDS) KIND_OF_RESULT[RESULT[kind]] = kind;

/** Maps the addon's result code (0 = ok, 1.. = kinds above, in the same order) to a kind. */
export function kindOfResult(result: number): DecodeErrorKind {
  if (typeof result !== 'number') throw invalidArg('result', 'a number', result);
  const kind = KIND_OF_RESULT[result];
  if (kind === undefined) throw outOfRange('result', 'a VLP decode error code', result);
  return kind;
}

export class VlpDecodeError extends HostwireError {
  declare readonly code: 'ERR_VLP_DECODE';
  constructor(
    readonly kind: DecodeErrorKind,
    detail: string,
    /** BadCrc: the CRC-32C the bytes hash to, and the one the frame carries. */
    readonly expected?: number,
    readonly actual?: number,
  ) {
    super('ERR_VLP_DECODE', `VLP ${kind}: ${detail}`);
  }
}

/** A frame the wire cannot carry (unknown version, Stall, reserved pid/timestamp, terminal nonce without Critical). */
export class VlpEncodeError extends HostwireTypeError {
  declare readonly code: 'ERR_VLP_ENCODE';
  constructor(
    readonly kind: DecodeErrorKind,
    detail: string,
  ) {
    super('ERR_VLP_ENCODE', `cannot encode VLP frame (${kind}): ${detail}`);
  }
}

export function describeKind(kind: DecodeErrorKind): string {
  switch (kind) {
    case 'BadLength':
      return 'a frame is exactly 32 bytes';
    case 'BadMagic':
      return 'bytes 0..2 are not "VA"';
    case 'BadVersion':
      return 'unknown version byte';
    case 'BadCrc':
      return 'CRC-32C over bytes 0..28 does not match';
    case 'BadStatus':
      return 'unknown status byte';
    case 'StallOnWire':
      return 'Stall is synthesized by observers; agents must not send it';
    case 'BadPid':
      return 'pid 0 and 1 are reserved';
    case 'BadTimestamp':
      return 'timestamp u64::MAX is reserved';
    case 'BadNonce':
      return 'NONCE_TERMINAL is allowed only with Critical';
  }
}

/**
 * Frame fields in the order both encoders check them. The addon reports a
 * field it cannot encode as FIELD_TYPE | index or FIELD_RANGE | index (see
 * native/vlp/vlp.cc); both encoders throw the error built here.
 */
export const ENCODE_FIELDS = Object.freeze(['version', 'status', 'pid', 'timestamp', 'nonce', 'payload'] as const);
export type EncodeField = (typeof ENCODE_FIELDS)[number];
export const FIELD_TYPE = FIELD_ERROR.type;
export const FIELD_RANGE = FIELD_ERROR.range;
// The addon's field numbers, by name: field by number.
const FIELD_OF_NUMBER: EncodeField[] = [];
for (const field of ENCODE_FIELDS) FIELD_OF_NUMBER[ENCODE_FIELD[field]] = field;

const U8_RANGE = '>= 0 and <= 255';
const U32_RANGE = '>= 0 and <= 4294967295';
const U64_RANGE = '>= 0 and <= 18446744073709551615';

/** Not a number (or, for u64 fields, a bigint): ERR_INVALID_ARG_TYPE. */
export function fieldTypeError(field: EncodeField, frame: { readonly [K in EncodeField]?: unknown }): TypeError {
  const u64 = field === 'timestamp' || field === 'nonce' || field === 'payload';
  return invalidArg(`frame.${field}`, u64 ? 'a number or a bigint' : 'a number', frame[field]);
}

/** An integer the field cannot hold: ERR_OUT_OF_RANGE. A v0.2 payload is a u32. */
export function fieldRangeError(field: EncodeField, frame: { readonly [K in EncodeField]?: unknown }): RangeError {
  if (field === 'version' || field === 'status') return outOfRange(`frame.${field}`, U8_RANGE, frame[field]);
  const u32 = field === 'pid' || (field === 'payload' && frame.version === 2);
  return outOfRange(`frame.${field}`, u32 ? U32_RANGE : U64_RANGE, frame[field]);
}

/** The error for a non-zero result of the addon's encodeInto. */
export function encodeError(result: number, frame: { readonly [K in EncodeField]?: unknown }): Error {
  const field = FIELD_OF_NUMBER[result & FIELD_ERROR.fieldMask];
  if ((result & FIELD_TYPE) !== 0 && field !== undefined) return fieldTypeError(field, frame);
  if ((result & FIELD_RANGE) !== 0 && field !== undefined) return fieldRangeError(field, frame);
  const kind = kindOfResult(result);
  return new VlpEncodeError(kind, describeKind(kind));
}
