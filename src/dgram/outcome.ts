// What happened to one datagram send. The addon classifies the errno and
// returns one small integer; here it becomes a frozen, cached object, so a
// send allocates nothing once each outcome has been seen.
import { getSystemErrorName } from 'node:util';
import { checkInteger } from '../common/args.js';
import { native } from '../native.js';

const { sendOutcome, sendResult } = native.dgram.constants;
const { outcomeMask: OUTCOME_MASK, errnoShift: ERRNO_SHIFT } = sendResult;

/** Why a datagram was dropped; each maps from specific errnos (see README). */
export type DropReason = 'kernel-queue-full' | 'no-observer' | 'peer-gone' | 'storage-full';

export interface SendOutcome {
  /** `sent`, `dropped` (an expected condition with a reason) or `failed`. */
  readonly kind: 'sent' | 'dropped' | 'failed';
  readonly ok: boolean;
  readonly reason: DropReason | null;
  /** errno name (`'EAGAIN'`), or null when sent. */
  readonly code: string | null;
  readonly errno: number;
  /** `'sent'`, `'dropped: kernel queue full'`, `'failed: EMSGSIZE'`. */
  readonly label: string;
}

/** Outcome codes as the addon returns them in the low byte. */
export const OutcomeCode = Object.freeze({
  Sent: sendOutcome.sent,
  QueueFull: sendOutcome.queueFull,
  NoObserver: sendOutcome.noObserver,
  PeerGone: sendOutcome.peerGone,
  StorageFull: sendOutcome.storageFull,
  Failed: sendOutcome.failed,
});

const REASONS = new Map<number, DropReason>([
  [OutcomeCode.QueueFull, 'kernel-queue-full'],
  [OutcomeCode.NoObserver, 'no-observer'],
  [OutcomeCode.PeerGone, 'peer-gone'],
  [OutcomeCode.StorageFull, 'storage-full'],
]);

export const SENT: SendOutcome = Object.freeze({
  kind: 'sent',
  ok: true,
  reason: null,
  code: null,
  errno: 0,
  label: 'sent',
});

const cache = new Map<number, SendOutcome>([[0, SENT]]);

function build(result: number): SendOutcome {
  checkInteger('result', result, 0, 0xffff_ffff); // only on a cache miss: the send path never gets here twice
  const code = result & OUTCOME_MASK;
  const errno = result >>> ERRNO_SHIFT;
  if (code === OutcomeCode.Sent) return SENT;
  const name = getSystemErrorName(-errno);
  const reason = REASONS.get(code) ?? null;
  const kind = reason === null ? 'failed' : 'dropped';
  return Object.freeze({
    kind,
    ok: false,
    reason,
    code: name,
    errno,
    label: reason === null ? `failed: ${name}` : `dropped: ${reason.replaceAll('-', ' ')}`,
  });
}

/** A result as the addon encodes it: `code | errno << 8`. */
export function sendResultOf(code: number, errno: number): number {
  return code | (errno << ERRNO_SHIFT);
}

/** Decodes the addon's `outcome | errno << 8` into its cached outcome object. */
export function outcomeOf(result: number): SendOutcome {
  if (result === 0) return SENT;
  let outcome = cache.get(result);
  if (outcome === undefined) {
    outcome = build(result);
    cache.set(result, outcome);
  }
  return outcome;
}
