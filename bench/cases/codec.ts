// Frame encode and decode alone, ns per frame: native vs the TS reference codec.
import { decodeInto, encodeInto, FIELD_COUNT, referenceDecode, referenceEncode, Status, type VlpFrame } from '../../src/vlp/index.js';

const N = Number(process.argv[2] ?? 2_000_000);
const frame: VlpFrame = { version: 2, status: Status.Ok, pid: 4242, timestamp: 123456789n, nonce: 42n, payload: 7n };
const out = new Uint8Array(32);
const fields = new Uint32Array(FIELD_COUNT);
encodeInto(out, 0, frame);

function time(n: number, fn: (i: number) => void): number {
  for (let i = 0; i < n / 10; i++) fn(i);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t0) / n;
}

console.log(
  JSON.stringify({
    nativeEncode: time(N, () => encodeInto(out, 0, frame)),
    nativeDecode: time(N, () => decodeInto(out, 0, 32, fields)),
    referenceEncode: time(N / 10, () => referenceEncode(frame)),
    referenceDecode: time(N / 10, () => referenceDecode(out)),
  }),
);
