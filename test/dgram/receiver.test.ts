import { execFileSync } from 'node:child_process';
import { readdirSync, readlinkSync, statSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DgramReceiver, DgramSender, SENT, type DatagramInfo, type ReceivedBatch } from '../../src/dgram/index.js';
import { fixturesDir, runFixture } from '../helpers/child.js';
import { leaveStaleSocket } from '../helpers/stale.js';
import { tempDir } from '../helpers/tmp.js';

function collect(receiver: DgramReceiver, count: number): Promise<[Buffer, DatagramInfo][]> {
  const got: [Buffer, DatagramInfo][] = [];
  return new Promise((resolve) => {
    receiver.on('message', (data, info) => {
      got.push([data, info]);
      if (got.length === count) resolve(got);
    });
  });
}

describe('DgramReceiver', () => {
  it('reports the sender’s kernel-attested pid/uid/gid, matching the child process that sent', async () => {
    const sock = path.join(tempDir(), 'creds.sock');
    using receiver = DgramReceiver.listen(sock, { credentials: true });
    const arrived = collect(receiver, 3);
    const child = await runFixture('send-datagrams.ts', [sock, '3', 'beat']);
    expect(child.code).toBe(0);
    const report = JSON.parse(child.stdout) as { pid: number; uid: number; gid: number; outcomes: string[] };
    expect(report.outcomes).toEqual(['sent', 'sent', 'sent']);
    const messages = await arrived;
    for (const [data, info] of messages) {
      expect(data.toString()).toBe('beat');
      expect(info.pid).toBe(report.pid);
      expect(info.uid).toBe(report.uid);
      expect(info.gid).toBe(report.gid);
    }
    expect(report.pid).not.toBe(process.pid);
  });

  it('without credentials, pid/uid/gid are null', async () => {
    const sock = path.join(tempDir(), 'nocreds.sock');
    using receiver = DgramReceiver.listen(sock);
    const arrived = collect(receiver, 1);
    using sender = DgramSender.connect(sock);
    sender.send(Buffer.from('x'));
    const [[, info]] = (await arrived) as [[Buffer, DatagramInfo]];
    expect(info).toMatchObject({ pid: null, uid: null, gid: null });
  });

  it('reports each datagram’s real length: 33 bytes as 33, 0 as 0, oversize as truncated with its length', async () => {
    const sock = path.join(tempDir(), 'len.sock');
    using receiver = DgramReceiver.listen(sock, { messageSize: 64 });
    const arrived = collect(receiver, 3);
    using sender = DgramSender.connect(sock);
    expect(sender.send(Buffer.alloc(33, 1))).toBe(SENT);
    expect(sender.send(Buffer.alloc(0))).toBe(SENT);
    expect(sender.send(Buffer.alloc(100, 2))).toBe(SENT);
    const [a, b, c] = await arrived;
    expect(a![1]).toMatchObject({ length: 33, truncated: false });
    expect(a![0].length).toBe(33);
    expect(b![1]).toMatchObject({ length: 0, truncated: false });
    expect(c![1]).toMatchObject({ length: 100, truncated: true });
    expect(c![0].length).toBe(64);
    expect(receiver.stats.truncated).toBe(1);
  });

  it('drains in recvmmsg batches through onBatch, in order, with nothing lost', async () => {
    const sock = path.join(tempDir(), 'batch.sock');
    const seen: number[] = [];
    const batchSizes: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    using receiver = DgramReceiver.listen(sock, {
      batchSize: 8,
      messageSize: 16,
      onBatch(batch: ReceivedBatch) {
        batchSizes.push(batch.count);
        for (let i = 0; i < batch.count; i++) {
          expect(batch.length(i)).toBe(4);
          seen.push(new DataView(batch.bytes.buffer, batch.bytes.byteOffset + batch.offset(i)).getUint32(0, true));
        }
        if (seen.length === 10) done();
      },
    });
    receiver.pause(); // let the kernel queue fill first so one wakeup reads several batches
    using sender = DgramSender.connect(sock);
    const out = Buffer.alloc(4);
    for (let i = 0; i < 10; i++) {
      out.writeUInt32LE(i);
      expect(sender.send(out)).toBe(SENT);
    }
    receiver.resume();
    await finished;
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batchSizes[0]).toBe(8);
    expect(receiver.stats).toMatchObject({ datagrams: 10, batches: batchSizes.length });
  });

  it('close() from inside a full batch stops reading there; the buffers stay valid for the rest of the call', async () => {
    const sock = path.join(tempDir(), 'close-in-batch.sock');
    using sender = DgramSender.connect(sock);
    const seen: string[] = [];
    const closedInside = new Promise<ReceivedBatch>((resolve) => {
      const receiver = DgramReceiver.listen(sock, {
        batchSize: 4,
        onBatch: (batch) => {
          receiver.close(); // a full batch: the addon would otherwise read the next one
          for (let i = 0; i < batch.count; i++) seen.push(Buffer.from(batch.view(i)).toString());
          resolve(batch);
        },
      });
      for (let i = 0; i < 10; i++) expect(sender.send(Buffer.from(`d${i}`))).toBe(SENT);
    });
    const batch = await closedInside;
    await new Promise((r) => setTimeout(r, 20));
    expect(batch.count).toBe(4);
    expect(seen).toEqual(['d0', 'd1', 'd2', 'd3']);
    expect(existsSync(sock)).toBe(false);
  });

  it('creates the socket file with mode 0600 by default, or the mode asked for', () => {
    const dir = tempDir();
    const a = DgramReceiver.listen(path.join(dir, 'a.sock'));
    const b = DgramReceiver.listen(path.join(dir, 'b.sock'), { mode: 0o660 });
    expect(statSync(path.join(dir, 'a.sock')).mode & 0o7777).toBe(0o600);
    expect(statSync(path.join(dir, 'b.sock')).mode & 0o7777).toBe(0o660);
    expect(statSync(path.join(dir, 'b.sock')).isSocket()).toBe(true);
    a.close();
    b.close();
  });

  it.each([
    ['000', '600', '600'],
    ['077', '660', '660'], // the umask would strip group bits: restored to what was asked
    ['000', '640', '640'],
  ])('under umask %s, mode %s gives exactly %s', async (umask, mode, expected) => {
    const sock = path.join(tempDir(), 'umask.sock');
    const child = await runFixture('bind-with-umask.ts', [sock, umask, mode]);
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe(expected);
  });

  it('refuses to steal a path where a live socket answers, and leaves that socket working', async () => {
    const sock = path.join(tempDir(), 'live.sock');
    using owner = DgramReceiver.listen(sock);
    const arrived = collect(owner, 1);
    let thrown: NodeJS.ErrnoException | undefined;
    try {
      DgramReceiver.listen(sock);
    } catch (err) {
      thrown = err as NodeJS.ErrnoException;
    }
    expect(thrown).toMatchObject({ code: 'EADDRINUSE', syscall: 'bind', path: sock });
    expect(thrown?.message).toContain('a live socket already answers');
    using sender = DgramSender.connect(sock);
    expect(sender.send(Buffer.from('still mine'))).toBe(SENT);
    expect((await arrived)[0]![0].toString()).toBe('still mine');
  });

  it('refuses a path that holds a regular file (EEXIST) and does not touch the file', () => {
    const file = path.join(tempDir(), 'not-a-socket');
    writeFileSync(file, 'precious');
    expect(() => DgramReceiver.listen(file)).toThrow(expect.objectContaining({ code: 'EEXIST', path: file }));
    expect(statSync(file).isFile()).toBe(true);
  });

  it('replaces a stale socket file left by a killed process', async () => {
    const sock = path.join(tempDir(), 'stale.sock');
    await leaveStaleSocket(sock);
    using receiver = DgramReceiver.listen(sock);
    const arrived = collect(receiver, 1);
    using sender = DgramSender.connect(sock);
    expect(sender.send(Buffer.from('fresh'))).toBe(SENT);
    expect((await arrived)[0]![0].toString()).toBe('fresh');
  });

  it('unlinks its socket file on close, but not a file someone else put there since', () => {
    const dir = tempDir();
    const sock = path.join(dir, 'mine.sock');
    const receiver = DgramReceiver.listen(sock);
    receiver.close();
    expect(existsSync(sock)).toBe(false);

    const moved = DgramReceiver.listen(sock);
    renameSync(sock, path.join(dir, 'elsewhere.sock'));
    writeFileSync(sock, 'someone else');
    moved.close();
    expect(existsSync(sock)).toBe(true);
  });

  it('closes file descriptors a sender passes in (SCM_RIGHTS) and counts them', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'fds.sock');
    const marker = path.join(dir, 'marker-file');
    writeFileSync(marker, 'x');
    using receiver = DgramReceiver.listen(sock);
    const arrived = collect(receiver, 1);
    execFileSync('python3', [path.join(fixturesDir, 'send-fds.py'), sock, marker]);
    const [[data, info]] = (await arrived) as [[Buffer, DatagramInfo]];
    expect(data.toString()).toBe('with-fds');
    expect(info.fdsClosed).toBe(true);
    expect(receiver.stats.fdsClosed).toBe(3);
    const open = readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/self/fd/${fd}`)];
      } catch {
        return [];
      }
    });
    expect(open).not.toContain(marker);
  });

  it('pause() leaves datagrams in the kernel queue; resume() delivers them', async () => {
    const sock = path.join(tempDir(), 'pause.sock');
    using receiver = DgramReceiver.listen(sock);
    let count = 0;
    receiver.on('message', () => count++);
    receiver.pause();
    using sender = DgramSender.connect(sock);
    for (let i = 0; i < 5; i++) sender.send(Buffer.from([i]));
    await new Promise((r) => setTimeout(r, 50));
    expect(count).toBe(0);
    const all = collect(receiver, 5);
    receiver.resume();
    await all;
    expect(count).toBe(5);
  });

  it('rejects bad options with typed errors before binding', () => {
    const sock = path.join(tempDir(), 'opts.sock');
    expect(() => DgramReceiver.listen(sock, { batchSize: 0 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => DgramReceiver.listen(sock, { messageSize: 1.5 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => DgramReceiver.listen(sock, { messageSize: '64' as unknown as number })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => DgramReceiver.listen(sock, { mode: 0o10000 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(existsSync(sock)).toBe(false);
    expect(() => DgramReceiver.listen(path.join(tempDir(), 'no-such-dir', 'x.sock'))).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'bind' }),
    );
  });

  it('sets and reads the receive buffer size', () => {
    const sock = path.join(tempDir(), 'rcvbuf.sock');
    using receiver = DgramReceiver.listen(sock, { receiveBufferSize: 1 << 18 });
    expect(receiver.receiveBufferSize).toBeGreaterThanOrEqual(1 << 18);
  });
});
