// VLP conformance: every CRC and frame vector of the shared suite, byte-exact,
// through both the native codec and the TypeScript reference codec.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  crc32c,
  crc32cTable,
  decodeFrame,
  encodeFrame,
  NONCE_TERMINAL,
  referenceCrc32c,
  referenceDecode,
  referenceEncode,
  STATUS_NAMES,
  VlpDecodeError,
  type StatusCode,
  type VlpFrame,
} from '../../src/vlp/index.js';

interface CrcVector {
  id: string;
  input_hex: string;
  expected_crc_hex: string;
}
interface FrameVector {
  id: string;
  kind: 'encode_decode_roundtrip' | 'decode_error';
  expected_decode_error: string | null;
  inputs?: { status: string; pid: bigint; timestamp: bigint; nonce: bigint; payload: bigint };
  expected_wire_hex?: string;
  wire_hex?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
// A copy of the shared conformance suite lives in the repository so a clone
// tests on its own; when the shared suite sits beside the clone, the copy must match it.
const vectorsPath = path.join(here, 'vectors', 'vlp-test-vectors.json');
const sharedPath = path.resolve(here, '../../../shared/vectors/vlp-test-vectors.json');

/** JSON.parse loses integers above 2^53: quote long integer literals first, then read them as BigInt. */
function loadVectors(): { crc32c_vectors: CrcVector[]; frame_vectors: FrameVector[]; nonce_terminal_hex: string } {
  const text = readFileSync(vectorsPath, 'utf8').replace(/(:\s*)(\d{16,})(?=\s*[,}\]])/g, '$1"$2"');
  return JSON.parse(text, (key, value: unknown) =>
    ['pid', 'timestamp', 'nonce', 'payload'].includes(key) ? BigInt(value as string | number) : value,
  ) as ReturnType<typeof loadVectors>;
}

const vectors = loadVectors();
const hex = (h: string) => Buffer.from(h, 'hex');
const crcHex = (n: number) => n.toString(16).padStart(8, '0');

function frameOf(inputs: NonNullable<FrameVector['inputs']>): VlpFrame {
  return {
    version: 2,
    status: STATUS_NAMES.indexOf(inputs.status as (typeof STATUS_NAMES)[number]) as StatusCode,
    pid: Number(inputs.pid),
    timestamp: inputs.timestamp,
    nonce: inputs.nonce,
    payload: inputs.payload,
  };
}

describe('VLP conformance vectors', () => {
  it.skipIf(!existsSync(sharedPath))(
    'the in-repo copy is identical to ../shared/vectors (skipped when shared/ is not beside the clone)',
    () => {
      expect(readFileSync(vectorsPath, 'utf8')).toBe(readFileSync(sharedPath, 'utf8'));
    },
  );

  it('loads the whole suite, u64 values above 2^53 intact', () => {
    expect(vectors.crc32c_vectors.length).toBe(5);
    expect(vectors.frame_vectors.length).toBe(15);
    const terminal = vectors.frame_vectors.find((v) => v.id === 'frame-critical-terminal');
    expect(terminal?.inputs?.nonce).toBe(NONCE_TERMINAL);
    expect(BigInt(`0x${vectors.nonce_terminal_hex}`)).toBe(NONCE_TERMINAL);
  });

  describe.each(vectors.crc32c_vectors.map((v) => [v.id, v] as const))('CRC-32C %s', (_id, v) => {
    it('native (run-time choice), native table and reference agree with the vector', () => {
      const input = hex(v.input_hex);
      expect(crcHex(crc32c(input))).toBe(v.expected_crc_hex);
      expect(crcHex(crc32cTable(input))).toBe(v.expected_crc_hex);
      expect(crcHex(referenceCrc32c(input))).toBe(v.expected_crc_hex);
    });
  });

  const roundtrips = vectors.frame_vectors.filter((v) => v.kind === 'encode_decode_roundtrip');
  describe.each(roundtrips.map((v) => [v.id, v] as const))('frame %s', (_id, v) => {
    it('encodes byte-exactly and decodes back to the inputs (native and reference)', () => {
      const frame = frameOf(v.inputs!);
      expect(encodeFrame(frame).toString('hex')).toBe(v.expected_wire_hex);
      expect(Buffer.from(referenceEncode(frame)).toString('hex')).toBe(v.expected_wire_hex);
      const wire = hex(v.expected_wire_hex!);
      expect(decodeFrame(wire, { strictV2: true })).toEqual(frame);
      expect(referenceDecode(wire, { strictV2: true })).toEqual(frame);
    });
  });

  const errors = vectors.frame_vectors.filter((v) => v.kind === 'decode_error');
  describe.each(errors.map((v) => [v.id, v] as const))('decode error %s', (_id, v) => {
    it(`is rejected as ${v.expected_decode_error} (native and reference)`, () => {
      const wire = hex(v.wire_hex!);
      for (const decode of [decodeFrame, referenceDecode]) {
        let thrown: unknown;
        try {
          decode(wire, { strictV2: true });
        } catch (err) {
          thrown = err;
        }
        expect(thrown).toBeInstanceOf(VlpDecodeError);
        expect((thrown as VlpDecodeError).kind).toBe(v.expected_decode_error);
        if (v.expected_decode_error === 'BadCrc') {
          const e = thrown as VlpDecodeError;
          expect(e.actual).toBe(wire.readUInt32LE(28));
          expect(e.expected).toBe(referenceCrc32c(wire.subarray(0, 28)));
          expect(e.expected).not.toBe(e.actual);
        }
      }
    });
  });
});
