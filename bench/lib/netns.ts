// A throwaway network namespace for the netlink benchmark, so route and FDB
// operations never touch the host's own tables. Needs root. Everything is
// created with `ip -n NS` / `bridge -n NS`: the host namespace is never
// changed, and deleting the namespace removes every link made in it.
//
// Inside hwbench-<pid>:
//   lo up; bridge br0 up; veth pairs vp0–vq0 and vp1–vq1, vp0/vp1 enslaved
//   to br0, all four ends up; 8 static FDB entries 02:00:00:00:00:01..08 on
//   vp0. Learning is off on vp0/vp1 so the FDB dump has the same entries in
//   every run (otherwise the MACs of vq0/vq1 are learned from their IPv6
//   router solicitations a few seconds in, and age out after 300 s).
import { execFileSync } from 'node:child_process';

/** The route every contender replaces, again and again (same flags, same attributes). */
export const BENCH_ROUTE = { dst: '10.77.0.0', prefix: 16, dev: 'br0', protocol: 0xb0 /* 176, hostwire's rtm_protocol */ } as const;
/** An IPv6 route that can be replaced the same way (checked when the namespace is built). */
export const BENCH_ROUTE6 = { dst: 'fd77::', prefix: 64, dev: 'br0', protocol: 0xb0 } as const;
/** Static FDB entries added on vp0. */
export const BENCH_FDB_STATIC = 8;

export interface BenchNetns {
  name: string;
  cleanup(): void;
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Deletes hwbench-<pid> namespaces whose bench process is gone (killed before its cleanup ran). */
function sweepStaleNetns(): void {
  for (const line of run('ip', ['netns', 'list']).split('\n')) {
    const match = /^hwbench-(\d+)\b/.exec(line);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid) {
      try {
        process.kill(pid, 0);
        continue; // still running: not ours to delete
      } catch {
        // ESRCH: its bench is gone
      }
    }
    try {
      run('ip', ['netns', 'delete', `hwbench-${pid}`]);
    } catch {
      // raced with another sweep
    }
  }
}

/**
 * Grows the main table of `netns` from `from` to `to` foreign routes: /24s
 * from 20.0.0.0 up, device routes on br0 with protocol static (4; a number,
 * as iproute2 6.1's batch mode can misread a repeated protocol name).
 */
export function addForeignRoutes(netns: string, from: number, to: number): void {
  const lines: string[] = [];
  for (let i = from; i < to; i++) lines.push(`route add ${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24 dev br0 proto 4`);
  execFileSync('ip', ['-n', netns, '-batch', '-'], { input: `${lines.join('\n')}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function createBenchNetns(): BenchNetns {
  if (process.getuid?.() !== 0) throw new Error('createBenchNetns() needs root (ip netns add)');
  sweepStaleNetns();
  const name = `hwbench-${process.pid}`;
  const ip = (...args: string[]) => run('ip', ['-n', name, ...args]);
  const bridge = (...args: string[]) => run('bridge', ['-n', name, ...args]);
  let deleted = false;
  const cleanup = () => {
    if (deleted) return;
    deleted = true;
    process.off('exit', cleanup);
    try {
      run('ip', ['netns', 'delete', name]);
    } catch {
      // already gone
    }
  };

  run('ip', ['netns', 'add', name]);
  // Deleted even if the bench throws or exits before cleanup(); one left by a
  // killed bench is swept by the next (sweepStaleNetns).
  process.on('exit', cleanup);
  try {
    ip('link', 'set', 'lo', 'up');
    ip('link', 'add', 'br0', 'type', 'bridge');
    ip('link', 'set', 'br0', 'up');
    for (const i of [0, 1]) {
      ip('link', 'add', `vp${i}`, 'type', 'veth', 'peer', 'name', `vq${i}`);
      ip('link', 'set', `vp${i}`, 'master', 'br0');
      bridge('link', 'set', 'dev', `vp${i}`, 'learning', 'off');
      ip('link', 'set', `vp${i}`, 'up');
      ip('link', 'set', `vq${i}`, 'up');
    }
    for (let n = 1; n <= BENCH_FDB_STATIC; n++) {
      bridge('fdb', 'add', `02:00:00:00:00:0${n}`, 'dev', 'vp0', 'master', 'static');
    }
    // The routes the bench replaces must be replaceable repeatedly on br0
    // (it has no address: these are plain scope-link device routes).
    for (const r of [BENCH_ROUTE, BENCH_ROUTE6]) {
      for (let k = 0; k < 2; k++) {
        ip(r === BENCH_ROUTE6 ? '-6' : '-4', 'route', 'replace', `${r.dst}/${r.prefix}`, 'dev', r.dev, 'proto', String(r.protocol));
      }
    }
  } catch (error) {
    cleanup();
    throw error;
  }
  return { name, cleanup };
}
