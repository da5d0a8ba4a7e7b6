// Classification of a datagram send, from the real errno.
#pragma once

namespace hostwire {

enum class SendOutcome : int {
  kSent = 0,
  kQueueFull = 1,    // EAGAIN / EWOULDBLOCK / ENOBUFS: the receiver is behind
  kNoObserver = 2,   // ENOENT / ECONNREFUSED on a socket never connected
  kPeerGone = 3,     // ECONNRESET / ENOTCONN / EPIPE, or ECONNREFUSED once connected
  kStorageFull = 4,  // ENOSPC
  kFailed = 5,       // anything else; the errno travels with it
};

SendOutcome ClassifySendErrno(int err, bool was_connected);

// One small integer for JS: outcome in the low byte, errno above it
// (exported as dgram.constants.sendResult). Small enough to stay a V8 Smi, so
// returning it allocates nothing.
constexpr int kSendResultOutcomeMask = 0xff;
constexpr int kSendResultErrnoShift = 8;
inline int EncodeSendResult(SendOutcome outcome, int err) {
  return static_cast<int>(outcome) | (err << kSendResultErrnoShift);
}

}  // namespace hostwire
