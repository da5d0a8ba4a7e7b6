// Frames of hostwire/ipc: a u32 little-endian length, then that many bytes of
// UTF-8 JSON (the framing ZLayer's overlayd uses). The decoder checks the
// length against its cap as soon as the 4-byte prefix is complete, before it
// allocates anything for the body: a peer cannot make it hold more than the
// cap, and a bad prefix is refused at once.
import { checkFunction, checkInteger } from '../common/args.js';
import { makeError } from '../common/errors.js';
import { IpcError } from './errors.js';

export const FRAME_HEADER_BYTES = 4;
export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** The largest body a u32 prefix can name. */
const MAX_U32 = 0xffff_ffff;

export function checkMaxFrameBytes(value: unknown): number {
  return value === undefined ? DEFAULT_MAX_FRAME_BYTES : checkInteger('maxFrameBytes', value, 2, MAX_U32);
}

function tooLarge(length: number, max: number): IpcError {
  return new IpcError('ERR_IPC_FRAME_TOO_LARGE', `frame of ${length} bytes is over the ${max}-byte cap`);
}

/** One message as a frame. Refuses (ERR_IPC_FRAME_TOO_LARGE) a message whose JSON is over the cap, sending nothing. */
export function encodeFrame(message: unknown, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): Buffer {
  checkInteger('maxFrameBytes', maxFrameBytes, 2, MAX_U32);
  let json: string | undefined;
  try {
    json = JSON.stringify(message);
  } catch (err) {
    // A BigInt or a cycle.
    throw makeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The message has no JSON form: ${(err as Error).message}`, { cause: err });
  }
  if (json === undefined) throw makeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'The message has no JSON form');
  const length = Buffer.byteLength(json);
  if (length > maxFrameBytes) throw tooLarge(length, maxFrameBytes);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  frame.writeUInt32LE(length, 0);
  frame.write(json, FRAME_HEADER_BYTES, 'utf8');
  return frame;
}

/**
 * Splits a byte stream into frame bodies. Bytes may arrive split anywhere
 * and many frames may arrive in one chunk. After an error it accepts nothing
 * more: the stream cannot be resynchronised, the connection must close.
 */
export class FrameDecoder {
  readonly maxFrameBytes: number;
  readonly #onFrame: (body: Buffer) => void;
  readonly #header = Buffer.alloc(FRAME_HEADER_BYTES);
  #headerFill = 0;
  #body: Buffer | null = null;
  #bodyFill = 0;
  #failed: IpcError | null = null;

  constructor(onFrame: (body: Buffer) => void, maxFrameBytes?: number) {
    this.#onFrame = checkFunction('onFrame', onFrame);
    this.maxFrameBytes = checkMaxFrameBytes(maxFrameBytes);
  }

  /** Bytes held for a frame not yet complete (prefix and body). */
  get bufferedBytes(): number {
    return this.#headerFill + (this.#body === null ? 0 : this.#bodyFill);
  }

  /** Feeds bytes; calls onFrame for each complete body. Throws an IpcError on a frame over the cap. */
  push(chunk: Uint8Array): void {
    if (this.#failed !== null) throw this.#failed;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let at = 0;
    while (at < bytes.length) {
      if (this.#body === null) {
        // A whole prefix and body in this chunk: hand out a view, no copy.
        if (this.#headerFill === 0 && bytes.length - at >= FRAME_HEADER_BYTES) {
          const length = bytes.readUInt32LE(at);
          this.#check(length);
          if (bytes.length - at - FRAME_HEADER_BYTES >= length) {
            at += FRAME_HEADER_BYTES + length;
            this.#onFrame(bytes.subarray(at - length, at));
            continue;
          }
        }
        const take = Math.min(FRAME_HEADER_BYTES - this.#headerFill, bytes.length - at);
        bytes.copy(this.#header, this.#headerFill, at, at + take);
        this.#headerFill += take;
        at += take;
        if (this.#headerFill < FRAME_HEADER_BYTES) return;
        const length = this.#header.readUInt32LE(0);
        this.#check(length);
        this.#body = Buffer.allocUnsafe(length);
        this.#bodyFill = 0;
      }
      const body = this.#body;
      const take = Math.min(body.length - this.#bodyFill, bytes.length - at);
      bytes.copy(body, this.#bodyFill, at, at + take);
      this.#bodyFill += take;
      at += take;
      if (this.#bodyFill === body.length) {
        this.#body = null;
        this.#headerFill = 0;
        this.#onFrame(body);
      }
    }
  }

  /** The stream ended: throws ERR_IPC_FRAME_TRUNCATED if it stopped inside a frame. */
  end(): void {
    if (this.#failed !== null) return;
    if (this.bufferedBytes > 0 || this.#body !== null) {
      const held = this.bufferedBytes;
      this.#reset();
      throw new IpcError('ERR_IPC_FRAME_TRUNCATED', `stream ended inside a frame (${held} bytes of it received)`);
    }
  }

  #check(length: number): void {
    if (length <= this.maxFrameBytes) return;
    this.#reset();
    this.#failed = tooLarge(length, this.maxFrameBytes);
    throw this.#failed;
  }

  #reset(): void {
    this.#body = null;
    this.#headerFill = 0;
    this.#bodyFill = 0;
  }
}
