// hostwire/ipc: JSON-RPC 2.0 over framed Unix stream sockets, with the
// peer's credentials from the kernel on every connection.
export {
  IpcServer,
  defineMethod,
  type IpcServerOptions,
  type IpcServerEvents,
  type MethodDefinition,
  type MethodContext,
} from './server.js';
export { IpcClient, type IpcClientOptions, type IpcClientEvents, type RequestOptions, type ServerHello } from './client.js';
export { IpcError, IpcRemoteError, RpcErrorCode, type IpcErrorCode } from './errors.js';
// Named for what they are: the package root also has VLP's encodeFrame.
export {
  FrameDecoder as IpcFrameDecoder,
  encodeFrame as encodeIpcFrame,
  DEFAULT_MAX_FRAME_BYTES as DEFAULT_MAX_IPC_FRAME_BYTES,
  FRAME_HEADER_BYTES as IPC_FRAME_HEADER_BYTES,
} from './framing.js';
export { type PeerCredentials } from './peer.js';
export { PROTOCOL_VERSION as IPC_PROTOCOL_VERSION } from './protocol.js';
// The zod hostwire checks params with, so that schemas and the server agree on one zod.
export { z } from 'zod';
