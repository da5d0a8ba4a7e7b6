import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DgramReceiver } from '../../src/dgram/index.js';
import { sdNotify, startWatchdog } from '../../src/heartbeat/index.js';
import { abstractName, tempDir } from '../helpers/tmp.js';

describe('sd_notify', () => {
  it('sends READY/STATUS to NOTIFY_SOCKET, a path or an abstract name', async () => {
    for (const sock of [path.join(tempDir(), 'notify.sock'), abstractName('notify')]) {
      using systemd = DgramReceiver.listen(sock, { credentials: true });
      const got: string[] = [];
      systemd.on('message', (d, info) => {
        got.push(d.toString());
        expect(info.pid).toBe(process.pid);
      });
      expect(sdNotify({ READY: 1, STATUS: 'serving\nrequests' }, { NOTIFY_SOCKET: sock })?.ok).toBe(true);
      expect(sdNotify('STOPPING=1', { NOTIFY_SOCKET: sock })?.ok).toBe(true);
      await expect.poll(() => got).toEqual(['READY=1\nSTATUS=serving requests', 'STOPPING=1']);
    }
  });

  it('returns null and does nothing without NOTIFY_SOCKET', () => {
    expect(sdNotify('READY=1', {})).toBeNull();
    expect(startWatchdog({ WATCHDOG_USEC: '1000000' })).toBeNull();
  });

  it('never blocks or throws when systemd is not reading, is absent, or the path is unusable', () => {
    const sock = path.join(tempDir(), 'deaf.sock');
    using deaf = DgramReceiver.listen(sock); // bound, never read
    const labels = new Set<string>();
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) labels.add(sdNotify('WATCHDOG=1', { NOTIFY_SOCKET: sock })!.label);
    expect(performance.now() - t0).toBeLessThan(2000); // 1000 blocking sends would never return
    expect(labels).toEqual(new Set(['sent', 'dropped: kernel queue full']));
    expect(sdNotify('READY=1', { NOTIFY_SOCKET: path.join(tempDir(), 'gone.sock') })?.reason).toBe('no-observer');
    expect(sdNotify('READY=1', { NOTIFY_SOCKET: `/${'x'.repeat(300)}` })).toMatchObject({ kind: 'failed', code: 'ENAMETOOLONG' });
    expect(deaf.closed).toBe(false);
  });

  it('watchdog: WATCHDOG_USEC and WATCHDOG_PID are decimal; a keep-alive interval never overflows a timer', () => {
    const sock = path.join(tempDir(), 'wd-numbers.sock');
    using systemd = DgramReceiver.listen(sock);
    for (const usec of ['1e6', '0x100000', ' 1000000', '-1000000', '1000000.5', '', 'Infinity']) {
      expect(startWatchdog({ NOTIFY_SOCKET: sock, WATCHDOG_USEC: usec }), usec).toBeNull();
    }
    expect(startWatchdog({ NOTIFY_SOCKET: sock, WATCHDOG_USEC: '1000000', WATCHDOG_PID: `0x${process.pid.toString(16)}` })).toBeNull();
    // 58 days: half of it is beyond what setInterval can wait, which would fire every millisecond instead.
    const watchdog = startWatchdog({ NOTIFY_SOCKET: sock, WATCHDOG_USEC: '5000000000000' })!;
    try {
      expect(watchdog.intervalMs).toBe(2 ** 31 - 1);
    } finally {
      watchdog.stop();
    }
  });

  it('watchdog keep-alives every WATCHDOG_USEC/2, only for the pid systemd named', async () => {
    const sock = path.join(tempDir(), 'wd.sock');
    using systemd = DgramReceiver.listen(sock);
    const got: string[] = [];
    systemd.on('message', (d) => got.push(d.toString()));
    expect(startWatchdog({ NOTIFY_SOCKET: sock, WATCHDOG_USEC: '40000', WATCHDOG_PID: '1' })).toBeNull();
    const watchdog = startWatchdog({ NOTIFY_SOCKET: sock, WATCHDOG_USEC: '40000', WATCHDOG_PID: String(process.pid) })!;
    try {
      expect(watchdog.intervalMs).toBe(20);
      await expect.poll(() => got.length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
      expect(new Set(got)).toEqual(new Set(['WATCHDOG=1']));
      expect(watchdog.last?.ok).toBe(true);
    } finally {
      watchdog.stop();
    }
  });
});
