// Who is at the other end of an accepted Unix stream connection, from the
// kernel (SO_PEERCRED), not from anything the peer says.
import type { Socket } from 'node:net';
import { native } from '../native.js';
import { IpcError } from './errors.js';

export interface PeerCredentials {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

/**
 * The peer of a connected net.Socket. Node has no public way to reach a
 * socket's fd, so this reads `socket._handle.fd` (a Node internal, present on
 * Pipe handles since Node 0.x and in every version hostwire supports); the
 * guard turns its absence into a clear error instead of a wrong answer.
 */
export function socketPeer(socket: Socket): PeerCredentials {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) {
    throw new IpcError('ERR_IPC_PROTOCOL', 'cannot read the peer credentials: the socket has no file descriptor');
  }
  return Object.freeze(native.sys.peerCredentials(fd));
}
