import type { StatusCode, VlpVersion } from './constants.js';

/** A decoded (or to-be-encoded) VLP frame. u64 fields are bigints. */
export interface VlpFrame {
  version: VlpVersion;
  status: StatusCode;
  pid: number;
  timestamp: bigint;
  nonce: bigint;
  /** u32 in v0.2, u64 in v0.1. */
  payload: bigint;
}
