// Native calls that took long positional argument lists take one options
// object now (or, on a hot path, a packed array: see route-change.test.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { native, type NativeDgramReceiverOptions } from '../../src/native.js';
import { tempDir } from '../helpers/tmp.js';

function thrown(fn: () => unknown): NodeJS.ErrnoException {
  try {
    fn();
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
  throw new Error('expected the call to throw');
}

describe('native DgramReceiver', () => {
  const options = (socketPath: string): NativeDgramReceiverOptions => ({
    path: socketPath,
    mode: 0o600,
    credentials: true,
    batchSize: 4,
    messageSize: 64,
    onBatch: () => {},
    onError: () => {},
  });

  it('takes one options object: every field reaches the socket (path, mode, batch and slot sizes)', () => {
    const socketPath = path.join(tempDir(), 'r.sock');
    const receiver = new native.dgram.DgramReceiver(options(socketPath));
    try {
      expect(existsSync(socketPath)).toBe(true);
      expect(receiver.data.length).toBe(4 * 64);
      expect(receiver.meta.length).toBe(4 * native.dgram.constants.receiveMeta.stride);
    } finally {
      receiver.close();
    }
  });

  it('refuses an options object missing a callback, and the old positional form', () => {
    const socketPath = path.join(tempDir(), 'r.sock');
    const { onError: _, ...withoutOnError } = options(socketPath);
    expect(thrown(() => new native.dgram.DgramReceiver(withoutOnError as NativeDgramReceiverOptions))).toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
    const Positional = native.dgram.DgramReceiver as unknown as new (...args: unknown[]) => unknown;
    expect(
      thrown(
        () =>
          new Positional(
            socketPath,
            0o600,
            false,
            4,
            64,
            () => {},
            () => {},
          ),
      ),
    ).toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
    expect(existsSync(socketPath)).toBe(false);
  });
});
