// The frame codec: bytes split at every point and coalesced, the cap checked
// on the prefix before anything is allocated, a truncated stream reported.
import { describe, expect, it } from 'vitest';
import { FrameDecoder, encodeFrame, FRAME_HEADER_BYTES } from '../../src/ipc/framing.js';

const messages = [{ jsonrpc: '2.0', id: 1, method: 'echo', params: { text: 'héllo ✓' } }, { jsonrpc: '2.0', id: 2, result: null }, []];

function collect(max?: number): { decoder: FrameDecoder; bodies: unknown[] } {
  const bodies: unknown[] = [];
  const decoder = new FrameDecoder((body) => bodies.push(JSON.parse(body.toString('utf8'))), max);
  return { decoder, bodies };
}

describe('frame codec', () => {
  it('encodes a u32 little-endian length and the UTF-8 JSON', () => {
    const frame = encodeFrame({ a: 'é' });
    const json = Buffer.from('{"a":"é"}');
    expect(frame.readUInt32LE(0)).toBe(json.length);
    expect(frame.subarray(FRAME_HEADER_BYTES)).toEqual(json);
  });

  it('decodes frames split at every byte boundary', () => {
    const stream = Buffer.concat(messages.map((m) => encodeFrame(m)));
    for (let a = 0; a <= stream.length; a++) {
      for (const b of [a, Math.min(stream.length, a + 1), Math.min(stream.length, a + 7)]) {
        const { decoder, bodies } = collect();
        decoder.push(stream.subarray(0, a));
        decoder.push(stream.subarray(a, b));
        decoder.push(stream.subarray(b));
        decoder.end();
        expect(bodies, `split at ${a}/${b}`).toEqual(messages);
      }
    }
  });

  it('decodes frames one byte at a time', () => {
    const stream = Buffer.concat(messages.map((m) => encodeFrame(m)));
    const { decoder, bodies } = collect();
    for (const byte of stream) decoder.push(Uint8Array.of(byte));
    expect(bodies).toEqual(messages);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('decodes many frames coalesced in one chunk', () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ i }));
    const { decoder, bodies } = collect();
    decoder.push(Buffer.concat(many.map((m) => encodeFrame(m))));
    expect(bodies).toEqual(many);
  });

  it('refuses an over-cap prefix at once, without allocating for the body', () => {
    const { decoder, bodies } = collect();
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32LE(0xffff_ffff, 0);
    // A 4 GiB prefix followed by nothing: the error comes with the prefix itself.
    expect(() => decoder.push(prefix)).toThrow(expect.objectContaining({ code: 'ERR_IPC_FRAME_TOO_LARGE' }));
    expect(decoder.bufferedBytes).toBeLessThan(1024);
    expect(bodies).toEqual([]);
    // The stream cannot be resynchronised: later bytes are refused too.
    expect(() => decoder.push(encodeFrame({}))).toThrow(expect.objectContaining({ code: 'ERR_IPC_FRAME_TOO_LARGE' }));
  });

  it('refuses an over-cap prefix that arrives split', () => {
    const { decoder } = collect(16);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32LE(17, 0);
    decoder.push(prefix.subarray(0, 3));
    expect(() => decoder.push(prefix.subarray(3))).toThrow(expect.objectContaining({ code: 'ERR_IPC_FRAME_TOO_LARGE' }));
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('accepts a frame of exactly the cap', () => {
    const { decoder, bodies } = collect(7);
    decoder.push(encodeFrame('abcde', 7));
    expect(bodies).toEqual(['abcde']);
  });

  it('the encoder refuses an over-cap message locally', () => {
    expect(() => encodeFrame('x'.repeat(100), 64)).toThrow(expect.objectContaining({ code: 'ERR_IPC_FRAME_TOO_LARGE' }));
    expect(() => encodeFrame(undefined)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => encodeFrame({ n: 1n })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });

  it('reports a stream that ends inside a frame', () => {
    const frame = encodeFrame({ long: 'x'.repeat(50) });
    for (const cut of [1, 4, 10, frame.length - 1]) {
      const { decoder, bodies } = collect();
      decoder.push(frame.subarray(0, cut));
      expect(() => decoder.end(), `cut at ${cut}`).toThrow(expect.objectContaining({ code: 'ERR_IPC_FRAME_TRUNCATED' }));
      expect(bodies).toEqual([]);
    }
    const { decoder } = collect();
    decoder.push(frame);
    expect(() => decoder.end()).not.toThrow();
  });

  it('checks the cap option', () => {
    expect(() => new FrameDecoder(() => {}, 0)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => new FrameDecoder(() => {}, '1' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});
