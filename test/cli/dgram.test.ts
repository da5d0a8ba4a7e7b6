import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DgramReceiver, DgramSender } from '../../src/dgram/index.js';
import { finish } from '../helpers/child.js';
import { runCli, startCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

describe('hostwire dgram', () => {
  it('send --json reports every outcome, and they arrive', async () => {
    const sock = path.join(tempDir(), 'cli.sock');
    using receiver = DgramReceiver.listen(sock);
    const texts: string[] = [];
    receiver.on('message', (d) => texts.push(d.toString()));
    const result = await runCli(['dgram', 'send', '--socket', sock, '--count', '4', '--json', 'ping']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ socket: sock, count: 4, outcomes: { sent: 4 } });
    await expect.poll(() => texts.length).toBe(4);
    expect(texts).toEqual(['ping', 'ping', 'ping', 'ping']);
  });

  it('send exits 1 and names the reason when nobody is listening', async () => {
    const sock = path.join(tempDir(), 'nobody.sock');
    const result = await runCli(['dgram', 'send', '--socket', sock, '--count', '2', 'ping']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('2  dropped: no observer (ENOENT)');
  });

  it('listen --json prints each datagram with the sender’s credentials, then stats', async () => {
    const sock = path.join(tempDir(), 'listen.sock');
    const child = startCli(['dgram', 'listen', '--socket', sock, '--credentials', '--json', '--duration-ms', '1500']);
    const done = finish(child);
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    await expect.poll(() => out.includes('"listening"'), { timeout: 10_000 }).toBe(true);
    using sender = DgramSender.connect(sock);
    expect(sender.send(Buffer.from('over the wire')).ok).toBe(true);
    const result = await done;
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const message = lines.find((l) => l.event === 'message');
    expect(message).toMatchObject({ length: 13, pid: process.pid, truncated: false });
    expect(Buffer.from(String(message?.data), 'base64').toString()).toBe('over the wire');
    expect(lines.at(-1)).toMatchObject({ event: 'stats', stopped: 'duration', datagrams: 1 });
  });

  it('rejects a malformed option with a clear message, as a usage error (exit 2)', async () => {
    const result = await runCli(['dgram', 'send', '--socket', '/tmp/x', '--count', 'many', 'ping']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "error: option '--count <n>' argument 'many' is invalid. Expected a decimal integer from 1 to 4294967295.",
    );
  });

  it('demo shows a child’s pid, the queue filling and the peer going away', async () => {
    const result = await runCli(['dgram', 'demo', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      childPid: number;
      received: string[];
      whenNobodyReads: Record<string, number>;
      afterReceiverClosed: string;
    };
    expect(report.received).toHaveLength(3);
    expect(report.received[0]).toContain(`from pid ${report.childPid}`);
    expect(report.whenNobodyReads['dropped: kernel queue full']).toBeGreaterThan(0);
    expect(report.afterReceiverClosed).toBe('dropped: peer gone');
  });

  it('the built command is executable, so `npx hostwire` works from a clone', () => {
    const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');
    expect(statSync(main).mode & 0o111).toBe(0o111);
  });
});
