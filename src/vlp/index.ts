export * from './constants.js';
export { VlpDecodeError, VlpEncodeError, DECODE_ERROR_KINDS, kindOfResult, type DecodeErrorKind } from './errors.js';
export type { VlpFrame } from './frame.js';
export {
  encodeFrame,
  encodeInto,
  decodeFrame,
  decodeInto,
  crc32c,
  crc32cTable,
  crc32cImplementation,
  Field,
  FIELD_COUNT,
} from './codec.js';
export { referenceCrc32c, referenceEncode, referenceDecode } from './reference.js';
