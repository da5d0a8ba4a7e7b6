// Throwaway network namespaces for tests that change routes, links or the
// bridge FDB: every change happens inside a namespace the test made, never in
// the host's own. Needs root: suites that use it are describeAsRoot (root.ts).
import { execFileSync } from 'node:child_process';

export interface TestNetns {
  readonly name: string;
  readonly path: string;
  /** `ip -n NAME …`; returns stdout. */
  ip(...args: string[]): string;
  /** `ip -n NAME -j …`, parsed. */
  ipJson<T = unknown>(...args: string[]): T;
  /**
   * `ip -n NAME -batch -`: many commands (e.g. thousands of `route add …`) in
   * one process. Give protocols as numbers: iproute2 6.1 caches the last
   * protocol name it looked up by pointer, and in batch mode a later line's
   * "proto static" can come out as an earlier line's protocol.
   */
  ipBatch(commands: string[]): void;
  /** `bridge -n NAME …`. */
  bridge(...args: string[]): string;
  /** A bridge, up. */
  addBridge(name: string): void;
  /** A veth pair whose `port` end is enslaved to `bridge`; both ends up. */
  addPort(bridge: string, port: string, peer: string): void;
  /** A static FDB entry for `mac` on `port` (`bridge fdb add … master static`). */
  addFdb(mac: string, port: string): void;
  delete(): void;
}

let counter = 0;

export function createTestNetns(tag: string): TestNetns {
  const name = `hwtest-${process.pid}-${tag}-${counter++}`;
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  run('ip', ['netns', 'add', name]);
  const ns: TestNetns = {
    name,
    path: `/run/netns/${name}`,
    ip: (...args) => run('ip', ['-n', name, ...args]),
    ipJson: <T>(...args: string[]) => JSON.parse(run('ip', ['-n', name, '-j', ...args]) || '[]') as T,
    ipBatch: (commands) => {
      execFileSync('ip', ['-n', name, '-batch', '-'], { input: `${commands.join('\n')}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
    },
    bridge: (...args) => run('bridge', ['-n', name, ...args]),
    addBridge(bridge) {
      ns.ip('link', 'add', bridge, 'type', 'bridge');
      ns.ip('link', 'set', bridge, 'up');
    },
    addPort(bridge, port, peer) {
      ns.ip('link', 'add', port, 'type', 'veth', 'peer', 'name', peer);
      ns.ip('link', 'set', port, 'master', bridge);
      // Learning off: the bridge must not add entries of its own mid-test.
      ns.bridge('link', 'set', 'dev', port, 'learning', 'off');
      ns.ip('link', 'set', port, 'up');
      ns.ip('link', 'set', peer, 'up');
    },
    addFdb(mac, port) {
      ns.bridge('fdb', 'add', mac, 'dev', port, 'master', 'static');
    },
    delete() {
      try {
        run('ip', ['netns', 'delete', name]);
      } catch {
        // already gone
      }
    },
  };
  try {
    ns.ip('link', 'set', 'lo', 'up');
  } catch (err) {
    ns.delete();
    throw err;
  }
  return ns;
}
