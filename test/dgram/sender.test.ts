import { getEventListeners } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DgramReceiver, DgramSender, OutcomeCode, SENT, type DatagramInfo } from '../../src/dgram/index.js';
import { native } from '../../src/native.js';
import { leaveStaleSocket } from '../helpers/stale.js';
import { abstractName, tempDir } from '../helpers/tmp.js';

const frame = Buffer.alloc(32, 7);

function nextMessage(receiver: DgramReceiver): Promise<[Buffer, DatagramInfo]> {
  return new Promise((resolve) => receiver.once('message', (data, info) => resolve([data, info])));
}

describe('DgramSender outcomes, each from a real scenario', () => {
  it('sent: the bytes arrive intact at a reading receiver', async () => {
    const sock = path.join(tempDir(), 'rx.sock');
    using receiver = DgramReceiver.listen(sock);
    const arrived = nextMessage(receiver);
    using sender = DgramSender.connect(sock);
    expect(sender.state).toBe('connected');
    const outcome = sender.send(frame);
    expect(outcome).toBe(SENT);
    expect(outcome).toMatchObject({ ok: true, kind: 'sent', label: 'sent', code: null });
    const [data, info] = await arrived;
    expect(data.equals(frame)).toBe(true);
    expect(info.length).toBe(32);
  });

  it('no socket file: pending, "dropped: no observer" (ENOENT), then connects once a receiver binds', async () => {
    const sock = path.join(tempDir(), 'absent.sock');
    using sender = DgramSender.connect(sock);
    expect(sender.state).toBe('pending');
    const outcome = sender.send(frame);
    expect(outcome).toMatchObject({ ok: false, kind: 'dropped', reason: 'no-observer', code: 'ENOENT' });
    expect(outcome.label).toBe('dropped: no observer');
    expect(sender.send(frame)).toBe(outcome); // cached: a repeated outcome is the same frozen object
    expect(Object.isFrozen(outcome)).toBe(true);

    using receiver = DgramReceiver.listen(sock);
    const arrived = nextMessage(receiver);
    expect(sender.send(frame)).toBe(SENT);
    expect(sender.state).toBe('connected');
    expect((await arrived)[0].equals(frame)).toBe(true);
  });

  it('stale socket file left by a killed observer: "dropped: no observer" (ECONNREFUSED)', async () => {
    const sock = path.join(tempDir(), 'stale.sock');
    await leaveStaleSocket(sock);
    expect(existsSync(sock)).toBe(true);
    using sender = DgramSender.connect(sock);
    expect(sender.state).toBe('pending');
    expect(sender.send(frame)).toMatchObject({ reason: 'no-observer', code: 'ECONNREFUSED' });
  });

  it('receiver that never reads: the kernel queue fills and sends are "dropped: kernel queue full" (EAGAIN)', () => {
    const sock = path.join(tempDir(), 'deaf.sock');
    using receiver = DgramReceiver.listen(sock); // no listener: nothing reads
    using sender = DgramSender.connect(sock);
    const labels: string[] = [];
    for (let i = 0; i < 200; i++) labels.push(sender.send(frame).label);
    const sent = labels.filter((l) => l === 'sent').length;
    // net.unix.max_dgram_qlen (10 by default) bounds the queue: ~11 fit.
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(200);
    expect(labels.slice(sent).every((l) => l === 'dropped: kernel queue full')).toBe(true);
    expect(sender.send(frame)).toMatchObject({ code: 'EAGAIN', errno: 11, kind: 'dropped' });
    expect(receiver.stats.datagrams).toBe(0);
  });

  it('receiver closed after connect: "dropped: peer gone", first ECONNREFUSED then ENOTCONN', () => {
    const sock = path.join(tempDir(), 'gone.sock');
    const receiver = DgramReceiver.listen(sock);
    using sender = DgramSender.connect(sock);
    expect(sender.send(frame)).toBe(SENT);
    receiver.close();
    expect(sender.send(frame)).toMatchObject({ reason: 'peer-gone', code: 'ECONNREFUSED' });
    expect(sender.state).toBe('disconnected');
    expect(sender.send(frame)).toMatchObject({ reason: 'peer-gone', code: 'ENOTCONN' });
  });

  it('reconnect() reaches a restarted receiver at the same path', async () => {
    const sock = path.join(tempDir(), 'restart.sock');
    const first = DgramReceiver.listen(sock);
    using sender = DgramSender.connect(sock);
    first.close();
    expect(sender.send(frame).reason).toBe('peer-gone');
    using second = DgramReceiver.listen(sock);
    expect(sender.send(frame).reason).toBe('peer-gone'); // still tied to the dead socket
    const oldFd = sender.fd;
    sender.reconnect();
    expect(sender.state).toBe('connected');
    expect(sender.fd).not.toBe(-1);
    const arrived = nextMessage(second);
    expect(sender.send(frame)).toBe(SENT);
    await arrived;
    expect(oldFd).toBeGreaterThan(0);
  });

  it('a failed reconnect leaves the sender as it was', () => {
    const sock = path.join(tempDir(), 'keep.sock');
    using receiver = DgramReceiver.listen(sock);
    using sender = DgramSender.connect(sock, { requireObserver: true });
    receiver.close();
    expect(() => sender.reconnect()).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'connect' }));
    expect(sender.state).toBe('connected'); // the old socket is still in place
  });

  it('failed: a datagram larger than the send buffer reports EMSGSIZE', () => {
    const sock = path.join(tempDir(), 'big.sock');
    using receiver = DgramReceiver.listen(sock);
    using sender = DgramSender.connect(sock);
    const outcome = sender.send(Buffer.alloc(4 * 1024 * 1024));
    expect(outcome).toMatchObject({ ok: false, kind: 'failed', reason: null, code: 'EMSGSIZE' });
    expect(outcome.label).toBe('failed: EMSGSIZE');
    expect(receiver.closed).toBe(false);
  });

  it('a closed sender reports failed: EBADF and closing twice is harmless', () => {
    const sock = path.join(tempDir(), 'closed.sock');
    using receiver = DgramReceiver.listen(sock);
    const sender = DgramSender.connect(sock);
    sender.close();
    sender.close();
    expect(sender.state).toBe('closed');
    expect(sender.fd).toBe(-1);
    expect(sender.send(frame)).toMatchObject({ kind: 'failed', code: 'EBADF' });
  });

  it('abstract namespace (@name): no file is created, datagrams arrive', async () => {
    const name = abstractName('abs');
    using receiver = DgramReceiver.listen(name);
    const arrived = nextMessage(receiver);
    using sender = DgramSender.connect(name);
    expect(sender.send(Buffer.from('abstract'))).toBe(SENT);
    expect((await arrived)[0].toString()).toBe('abstract');
    expect(existsSync(name)).toBe(false);
    expect(() => DgramReceiver.listen(name)).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
  });

  it('sends a slice given by offset and length without copying', async () => {
    const sock = path.join(tempDir(), 'slice.sock');
    using receiver = DgramReceiver.listen(sock);
    const arrived = nextMessage(receiver);
    using sender = DgramSender.connect(sock);
    expect(sender.send(Buffer.from('xxhelloxx'), 2, 5)).toBe(SENT);
    expect((await arrived)[0].toString()).toBe('hello');
    expect(() => sender.send(Buffer.alloc(4), 3, 5)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => sender.send('text' as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });

  it('waitWritable resolves once a full queue is drained, and can be aborted', async () => {
    const sock = path.join(tempDir(), 'drain.sock');
    using receiver = DgramReceiver.listen(sock);
    using sender = DgramSender.connect(sock);
    while (sender.send(frame).ok);
    const controller = new AbortController();
    const aborted = sender.waitWritable({ signal: controller.signal });
    controller.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');

    sender.ref(); // keep the loop alive while waiting
    const writable = sender.waitWritable();
    let drained = 0;
    receiver.on('message', () => drained++);
    await writable;
    expect(drained).toBeGreaterThan(0);
    expect(sender.send(frame)).toBe(SENT);
  });

  it('validates paths and buffer sizes before any syscall', () => {
    expect(() => DgramSender.connect('')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => DgramSender.connect(`/tmp/${'x'.repeat(200)}`)).toThrow(
      expect.objectContaining({ code: 'ENAMETOOLONG', syscall: 'connect' }),
    );
    const sock = path.join(tempDir(), 'buf.sock');
    using receiver = DgramReceiver.listen(sock);
    using sender = DgramSender.connect(sock, { sendBufferSize: 65536 });
    expect(sender.sendBufferSize).toBeGreaterThanOrEqual(65536);
    expect(() => (sender.sendBufferSize = -1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });
});

describe('waitWritable: every wait settles, and leaves no abort listener behind', () => {
  // A sender whose receiver never reads: once its queue is full, waits stay pending.
  function blocked(tag: string) {
    const sock = path.join(tempDir(), `${tag}.sock`);
    const receiver = DgramReceiver.listen(sock);
    const sender = DgramSender.connect(sock);
    while (sender.send(frame).ok);
    return { receiver, sender, [Symbol.dispose]: () => (sender.close(), receiver.close()) };
  }
  // What a promise has come to after the loop has had a few turns: a promise
  // that never settles stays 'pending' (which is what these tests guard against).
  async function stateOf(promise: Promise<void>): Promise<'resolved' | 'pending' | { rejected: unknown }> {
    const pending = Symbol('pending');
    const outcome = await Promise.race([
      promise.then(
        () => 'resolved' as const,
        (err: unknown) => ({ rejected: err }),
      ),
      new Promise<typeof pending>((r) => setTimeout(() => r(pending), 50)),
    ]);
    return outcome === pending ? 'pending' : outcome;
  }
  const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

  it('close() while waiting rejects with ERR_SOCKET_CLOSED; a wait on a closed sender too', async () => {
    using t = blocked('close-wait');
    const signal = new AbortController().signal;
    const wait = t.sender.waitWritable({ signal });
    expect(await stateOf(wait)).toBe('pending');
    expect(listeners(signal)).toBe(1);
    t.sender.close();
    expect(await stateOf(wait)).toEqual({ rejected: expect.objectContaining({ name: 'DgramError', code: 'ERR_SOCKET_CLOSED' }) });
    expect(listeners(signal)).toBe(0);
    await expect(t.sender.waitWritable({ signal })).rejects.toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
    expect(listeners(signal)).toBe(0);
  });

  it('reconnect() while waiting rejects with ERR_WAIT_SUPERSEDED; the new socket can be waited on', async () => {
    using t = blocked('reconnect-wait');
    const signal = new AbortController().signal;
    const wait = t.sender.waitWritable({ signal });
    t.sender.reconnect();
    expect(await stateOf(wait)).toEqual({ rejected: expect.objectContaining({ code: 'ERR_WAIT_SUPERSEDED' }) });
    expect(listeners(signal)).toBe(0);
    // The new socket shares the receiver's full queue: a new wait pends, then resolves on drain.
    t.sender.ref();
    const again = t.sender.waitWritable({ signal });
    expect(await stateOf(again)).toBe('pending');
    t.receiver.on('message', () => {});
    await again;
    expect(listeners(signal)).toBe(0);
  });

  it('a second wait while one is pending: both resolve when the queue drains', async () => {
    using t = blocked('second-wait');
    t.sender.ref();
    const first = new AbortController().signal;
    const second = new AbortController().signal;
    const a = t.sender.waitWritable({ signal: first });
    const b = t.sender.waitWritable({ signal: second });
    expect(await stateOf(a)).toBe('pending');
    expect(await stateOf(b)).toBe('pending');
    t.receiver.on('message', () => {});
    expect(await Promise.all([a, b])).toEqual([undefined, undefined]);
    expect(listeners(first) + listeners(second)).toBe(0);
  });

  it('abort rejects only its own wait and removes its listener; the others still settle', async () => {
    using t = blocked('abort-one');
    t.sender.ref();
    const controller = new AbortController();
    const kept = new AbortController().signal;
    const aborted = t.sender.waitWritable({ signal: controller.signal });
    const other = t.sender.waitWritable({ signal: kept });
    controller.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');
    expect(listeners(controller.signal)).toBe(0);
    expect(await stateOf(other)).toBe('pending');
    expect(listeners(kept)).toBe(1);
    t.receiver.on('message', () => {});
    await other;
    expect(listeners(kept)).toBe(0);
  });

  it('an already-aborted signal rejects at once and adds no listener', async () => {
    using t = blocked('pre-aborted');
    const signal = AbortSignal.abort();
    await expect(t.sender.waitWritable({ signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(listeners(signal)).toBe(0);
  });
});

describe('send() checks offset and length, never wrapping them; a refused send sends nothing', () => {
  // Out of range for a 10-byte buffer, as Node's validateInteger sees it: NaN,
  // ±Infinity and fractions are ERR_OUT_OF_RANGE, as are values past the end.
  const outOfRange: [string, number][] = [
    ['2**32+1', 2 ** 32 + 1],
    ['2**32', 2 ** 32],
    ['-1', -1],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['1.5', 1.5],
    ['2**53', 2 ** 53],
    ['2**64', 2 ** 64],
    ['11 (past the end)', 11],
  ];
  const wrongType: [string, unknown][] = [
    ['"1"', '1'],
    ['1n', 1n],
    ['null', null],
    ['true', true],
    ['{}', {}],
  ];
  const data = Buffer.from('0123456789');
  const sentinel = Buffer.from('sentinel');

  /** Runs `refused` against a reading receiver, then proves nothing reached it: the sentinel arrives first. */
  async function expectNothingSent(refused: (sender: DgramSender) => void): Promise<void> {
    const sock = path.join(tempDir(), 'args.sock');
    using receiver = DgramReceiver.listen(sock);
    const arrived = nextMessage(receiver);
    using sender = DgramSender.connect(sock);
    refused(sender);
    expect(sender.send(sentinel)).toBe(SENT);
    expect((await arrived)[0].toString()).toBe('sentinel');
  }

  const cases = [
    ...outOfRange.map(([label, value]) => [label, 'ERR_OUT_OF_RANGE', value] as const),
    ...wrongType.map(([label, value]) => [label, 'ERR_INVALID_ARG_TYPE', value] as const),
  ];

  it.each(cases)('offset %s is %s', async (_label, code, value) => {
    await expectNothingSent((sender) => {
      expect(() => sender.send(data, value as number)).toThrow(
        expect.objectContaining({ code, message: expect.stringContaining('"offset"') }),
      );
      expect(() => sender.send(data, value as number, 1)).toThrow(expect.objectContaining({ code }));
    });
  });

  it.each(cases)('length %s is %s', async (_label, code, value) => {
    await expectNothingSent((sender) => {
      expect(() => sender.send(data, 0, value as number)).toThrow(
        expect.objectContaining({ code, message: expect.stringContaining('"length"') }),
      );
    });
  });

  it('the error names the argument, the range and the value', () => {
    const sock = path.join(tempDir(), 'msg.sock');
    using receiver = DgramReceiver.listen(sock);
    using sender = DgramSender.connect(sock);
    expect(() => sender.send(data, 3, 2 ** 32 + 1)).toThrow(
      expect.objectContaining({
        name: 'RangeError',
        message: 'The "length" argument must be an integer >= 0 and <= 7; received 4294967297',
      }),
    );
    expect(() => sender.send(data, 1n as unknown as number)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: 'The "offset" argument must be of type number; received 1n' }),
    );
  });

  it('length without offset counts from the start; the edges are accepted', async () => {
    const sock = path.join(tempDir(), 'edges.sock');
    using receiver = DgramReceiver.listen(sock);
    const texts: string[] = [];
    receiver.on('message', (d) => texts.push(d.toString()));
    using sender = DgramSender.connect(sock);
    expect(sender.send(data, undefined, 3)).toBe(SENT);
    expect(sender.send(data, 10)).toBe(SENT); // empty datagram at the very end
    expect(sender.send(data, 10, 0)).toBe(SENT);
    expect(sender.send(data, 0, 10)).toBe(SENT);
    expect(sender.send(data, -0, 1)).toBe(SENT);
    await expect.poll(() => texts.length).toBe(5);
    expect(texts).toEqual(['012', '', '', '0123456789', '0']);
  });
});

describe('errno classification table (the addon’s, used by every send)', () => {
  const classify = native.dgram.classifySendErrno;
  it.each([
    ['EAGAIN', 11, false, OutcomeCode.QueueFull],
    ['ENOBUFS', 105, false, OutcomeCode.QueueFull],
    ['ENOENT', 2, false, OutcomeCode.NoObserver],
    ['ECONNREFUSED before connecting', 111, false, OutcomeCode.NoObserver],
    ['ECONNREFUSED once connected', 111, true, OutcomeCode.PeerGone],
    ['ECONNRESET', 104, true, OutcomeCode.PeerGone],
    ['ENOTCONN', 107, false, OutcomeCode.PeerGone],
    ['EPIPE', 32, true, OutcomeCode.PeerGone],
    // ENOSPC cannot be provoked on an AF_UNIX socket here; the table is checked directly.
    ['ENOSPC', 28, false, OutcomeCode.StorageFull],
    ['EMSGSIZE', 90, false, OutcomeCode.Failed],
    ['EPERM', 1, false, OutcomeCode.Failed],
  ])('%s', (_name, errno, connected, expected) => {
    expect(classify(errno, connected)).toBe(expected);
  });
});
