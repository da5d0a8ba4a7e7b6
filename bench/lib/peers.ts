// The bench's peer packages live in bench/peers (installed by `npm run bench`,
// not by the project's own `npm ci`); cases load them through here.
import { createRequire } from 'node:module';

const requireFromPeers = createRequire(new URL('../peers/package.json', import.meta.url));

/** Loads a peer package installed in bench/peers; `T` is the slice of its API a case uses. */
export function requirePeer<T>(name: string): T {
  try {
    return requireFromPeers(name) as T;
  } catch (err) {
    throw new Error(`bench peer "${name}" is not installed: run \`npm run bench:peers\` (${(err as Error).message})`, { cause: err });
  }
}

/** unix-dgram: a connected AF_UNIX datagram socket. */
export interface UnixDgramSocket extends NodeJS.EventEmitter {
  connect(path: string): void;
  send(buf: Buffer): void;
}
export const unixDgram = () => requirePeer<{ createSocket(type: 'unix_dgram'): UnixDgramSocket }>('unix-dgram');

/** node-unix-socket: an unconnected datagram socket with sendTo. */
export interface NodeUnixDgramSocket extends NodeJS.EventEmitter {
  sendTo(buf: Buffer, offset: number, length: number, path: string, callback?: (err?: Error) => void): void;
}
export const nodeUnixSocket = () => requirePeer<{ DgramSocket: new () => NodeUnixDgramSocket }>('node-unix-socket');

/** write-file-atomic: temp file, fsync, rename. */
export const writeFileAtomic = () =>
  requirePeer<(file: string, data: string | Buffer, options: { mode?: number; fsync?: boolean }) => Promise<void>>('write-file-atomic');

/** The `netlink` package (mildsunrise/node_netlink): the slice of its rtnetlink API the netlink case uses. */
export interface RtNetlinkPeer {
  getLinks(): Promise<{ attrs: { ifname?: string }; data: { index?: number } }[]>;
  newRoute(data: Record<string, unknown>, attrs: Record<string, unknown>, options: { flags: number }): Promise<unknown>;
  getNeighbors(options: {
    family: number;
  }): Promise<{ attrs: { lladdr?: Buffer; master?: number; vlan?: number }; data: { ifindex: number; state: number; flags: number } }[]>;
  socket: { close(): void };
}
export const netlink = () =>
  requirePeer<{ createRtNetlink: () => RtNetlinkPeer; FlagsNew: { CREATE: number; REPLACE: number } }>('netlink');
