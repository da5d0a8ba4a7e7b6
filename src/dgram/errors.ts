// Errors of the dgram module that are not system errors (those carry the
// errno name as `code`, as Node's own do).
import { HostwireError } from '../common/errors.js';

export type DgramErrorCode =
  /** The sender was closed while something waited on it. */
  | 'ERR_SOCKET_CLOSED'
  /** reconnect() replaced the socket a waitWritable() was watching. */
  | 'ERR_WAIT_SUPERSEDED';

export class DgramError extends HostwireError {
  declare readonly code: DgramErrorCode;
  constructor(code: DgramErrorCode, message: string) {
    super(code, message);
  }
}
