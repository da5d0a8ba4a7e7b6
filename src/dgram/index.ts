export { DgramSender, type DgramSenderOptions, type SenderState, type WaitOptions } from './sender.js';
export { DgramReceiver, ReceivedBatch, type DgramReceiverOptions, type DatagramInfo, type ReceiverStats } from './receiver.js';
export { SENT, OutcomeCode, outcomeOf, type SendOutcome, type DropReason } from './outcome.js';
export { DgramError, type DgramErrorCode } from './errors.js';
