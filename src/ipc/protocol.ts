// JSON-RPC 2.0 messages as hostwire/ipc exchanges them, and the checks that
// sort an incoming body into a request, a notification or a response.
import { RpcErrorCode } from './errors.js';

export const PROTOCOL_VERSION = 1;
export const HELLO_METHOD = 'hostwire.hello';
export const CANCEL_METHOD = '$/cancelRequest';

export type RpcId = number | string;

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export type Incoming =
  | { kind: 'request'; id: RpcId; method: string; params: unknown }
  | { kind: 'notification'; method: string; params: unknown }
  | { kind: 'response'; id: RpcId | null; result?: unknown; error?: RpcErrorObject }
  | { kind: 'invalid'; id: RpcId | null; error: RpcErrorObject };

const utf8 = new TextDecoder('utf-8', { fatal: true });

const isId = (id: unknown): id is RpcId => (typeof id === 'number' && Number.isSafeInteger(id)) || typeof id === 'string';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const invalid = (id: RpcId | null, code: number, message: string): Incoming => ({ kind: 'invalid', id, error: { code, message } });

/** Sorts one frame body. Never throws: what is not a valid message is 'invalid', with the error to answer. */
export function parseMessage(body: Uint8Array): Incoming {
  let message: unknown;
  try {
    message = JSON.parse(utf8.decode(body));
  } catch {
    return invalid(null, RpcErrorCode.parseError, 'Parse error: the frame is not UTF-8 JSON');
  }
  if (!isObject(message)) {
    return invalid(null, RpcErrorCode.invalidRequest, 'Invalid Request: a message is a JSON object (batches are not supported)');
  }
  const id = 'id' in message ? message.id : undefined;
  const replyId = isId(id) ? id : null;
  if (message.jsonrpc !== '2.0') return invalid(replyId, RpcErrorCode.invalidRequest, 'Invalid Request: "jsonrpc" must be "2.0"');
  if (id === null && isObject(message.error) && !('method' in message)) {
    // An error about a message whose id could not be read.
    const error = message.error;
    if (typeof error.code === 'number' && typeof error.message === 'string')
      return { kind: 'response', id: null, error: error as unknown as RpcErrorObject };
  }
  if (id !== undefined && !isId(id)) {
    return invalid(null, RpcErrorCode.invalidRequest, 'Invalid Request: "id" must be an integer or a string');
  }
  if ('method' in message) {
    if (typeof message.method !== 'string')
      return invalid(replyId, RpcErrorCode.invalidRequest, 'Invalid Request: "method" must be a string');
    const params = message.params;
    if (params !== undefined && typeof params !== 'object') {
      return invalid(replyId, RpcErrorCode.invalidRequest, 'Invalid Request: "params" must be an object or an array');
    }
    return id === undefined
      ? { kind: 'notification', method: message.method, params }
      : { kind: 'request', id, method: message.method, params };
  }
  if (id !== undefined && ('result' in message || isObject(message.error))) {
    const error = message.error as Record<string, unknown> | undefined;
    if (error !== undefined && (typeof error.code !== 'number' || typeof error.message !== 'string')) {
      return invalid(replyId, RpcErrorCode.invalidRequest, 'Invalid Request: an error has a numeric "code" and a "message"');
    }
    return error === undefined
      ? { kind: 'response', id, result: message.result }
      : { kind: 'response', id, error: error as unknown as RpcErrorObject };
  }
  return invalid(replyId, RpcErrorCode.invalidRequest, 'Invalid Request: neither a request nor a response');
}
