#include "dgram/outcome.h"

#include <errno.h>

namespace hostwire {

SendOutcome ClassifySendErrno(int err, bool was_connected) {
  switch (err) {
    case 0:
      return SendOutcome::kSent;
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case ENOBUFS:
      return SendOutcome::kQueueFull;
    case ENOENT:
      return SendOutcome::kNoObserver;
    case ECONNREFUSED:
      // On a connected socket the kernel reports a receiver that closed as
      // ECONNREFUSED once (then ENOTCONN): the observer existed and is gone.
      return was_connected ? SendOutcome::kPeerGone : SendOutcome::kNoObserver;
    case ECONNRESET:
    case ENOTCONN:
    case EPIPE:
      return SendOutcome::kPeerGone;
    case ENOSPC:
      return SendOutcome::kStorageFull;
    default:
      return SendOutcome::kFailed;
  }
}

}  // namespace hostwire
