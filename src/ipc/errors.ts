// Errors of hostwire/ipc. Local failures are IpcErrors with one of the
// ERR_IPC_* codes; an error the remote side answered with is an
// IpcRemoteError whose `code` is the remote's own (`data.code`), so that
// callers test one `code` whichever side refused.
import { HostwireError } from '../common/errors.js';

export type IpcErrorCode =
  'ERR_IPC_FRAME_TOO_LARGE' | 'ERR_IPC_FRAME_TRUNCATED' | 'ERR_IPC_PROTOCOL' | 'ERR_IPC_VERSION' | 'ERR_IPC_TIMEOUT' | 'ERR_IPC_CLOSED';

export class IpcError extends HostwireError {
  declare readonly code: IpcErrorCode;
  constructor(code: IpcErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** JSON-RPC 2.0 error codes. */
export const RpcErrorCode = Object.freeze({
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** An application error: `data.code` names it (ERR_…). */
  applicationError: -32000,
});

/** The code a remote error without `data.code` carries, by its JSON-RPC code. */
const RPC_CODE_NAMES: Readonly<Record<number, string>> = {
  [RpcErrorCode.parseError]: 'ERR_IPC_PARSE',
  [RpcErrorCode.invalidRequest]: 'ERR_IPC_INVALID_REQUEST',
  [RpcErrorCode.methodNotFound]: 'ERR_IPC_METHOD_NOT_FOUND',
  [RpcErrorCode.invalidParams]: 'ERR_IPC_INVALID_PARAMS',
  [RpcErrorCode.internalError]: 'ERR_IPC_INTERNAL',
};

/** An error reply from the other side: `rpcCode` is the JSON-RPC code, `data` its data. */
export class IpcRemoteError extends HostwireError {
  readonly rpcCode: number;
  readonly data: unknown;
  constructor(rpcCode: number, message: string, data?: unknown) {
    const named = (data as { code?: unknown } | null | undefined)?.code;
    const code =
      typeof named === 'string' && /^(ERR_[A-Z0-9_]+|E[A-Z0-9]+)$/.test(named) ? named : (RPC_CODE_NAMES[rpcCode] ?? 'ERR_IPC_REMOTE');
    super(code, message);
    this.rpcCode = rpcCode;
    this.data = data;
  }
}
