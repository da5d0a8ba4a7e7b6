// Decode errors, named exactly as the VLP spec names them, in its order.

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

/** Maps the addon's result code (0 = ok, 1.. = kinds above) to a kind. */
export function kindOfResult(result: number): DecodeErrorKind {
  const kind = DECODE_ERROR_KINDS[result - 1];
  if (kind === undefined) throw new RangeError(`unknown VLP result code ${result}`);
  return kind;
}

export class VlpDecodeError extends Error {
  readonly code = 'ERR_VLP_DECODE';
  constructor(
    readonly kind: DecodeErrorKind,
    detail: string,
    /** BadCrc: the CRC-32C the bytes hash to, and the one the frame carries. */
    readonly expected?: number,
    readonly actual?: number,
  ) {
    super(`VLP ${kind}: ${detail}`);
    this.name = 'VlpDecodeError';
  }
}

/** Invalid input to the encoder (Stall, reserved pid/timestamp, terminal nonce without Critical). */
export class VlpEncodeError extends TypeError {
  readonly code = 'ERR_VLP_ENCODE';
  constructor(
    readonly kind: DecodeErrorKind,
    detail: string,
  ) {
    super(`cannot encode VLP frame (${kind}): ${detail}`);
    this.name = 'VlpEncodeError';
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
