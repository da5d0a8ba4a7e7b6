// VLP wire constants (Varta Lifeline Protocol v0.2, with v0.1 for old agents).
import { invalidArg } from '../common/args.js';
import { makeError } from '../common/errors.js';

export const FRAME_SIZE = 32;
export const MAGIC = Object.freeze([0x56, 0x41] as const); // "VA"
export const VLP_V1 = 1;
export const VLP_V2 = 2;
export type VlpVersion = typeof VLP_V1 | typeof VLP_V2;

/** Sent only with Critical, by a dying process: "silence after this is expected". */
export const NONCE_TERMINAL = 0xffff_ffff_ffff_ffffn;
/** u64::MAX is reserved as the timestamp saturation sentinel. */
export const TIMESTAMP_RESERVED = 0xffff_ffff_ffff_ffffn;

/** Health status on the wire. Stall is synthesized by observers, never sent. */
export const Status = Object.freeze({ Ok: 0, Degraded: 1, Critical: 2, Stall: 3 } as const);
export type StatusCode = (typeof Status)[keyof typeof Status];
export type StatusName = 'ok' | 'degraded' | 'critical' | 'stall';
export const STATUS_NAMES: readonly StatusName[] = Object.freeze(['ok', 'degraded', 'critical', 'stall']);

/** Parses 'ok' | 'degraded' | 'critical' (or their codes); Stall is refused. */
export function parseStatus(value: string | number): StatusCode {
  if (typeof value !== 'string' && typeof value !== 'number') throw invalidArg('status', 'a status name or code', value);
  const code = typeof value === 'number' ? value : STATUS_NAMES.indexOf(value.toLowerCase() as StatusName);
  if (code === Status.Stall) throw invalidStatus(value, 'Stall is synthesized by observers and cannot be sent');
  if (code !== 0 && code !== 1 && code !== 2) throw invalidStatus(value, 'expected ok, degraded or critical');
  return code;
}

function invalidStatus(value: unknown, why: string): TypeError {
  return makeError(TypeError, 'ERR_VLP_INVALID_STATUS', `invalid VLP status ${JSON.stringify(value)}: ${why}`);
}
