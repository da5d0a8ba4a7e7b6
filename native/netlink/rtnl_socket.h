// A blocking NETLINK_ROUTE request socket: one request, then its ack or its
// dump. rtnetlink handles a request inside the sending syscall, so the reply
// is already queued when send() returns; a receive timeout only guards
// against a wedged kernel. Pure C++: nothing here knows about N-API.
#pragma once

#include <linux/netlink.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/unique_fd.h"

namespace hostwire {

struct RtnlError {
  int err = 0;                    // positive errno, 0 when the request succeeded
  const char* syscall = nullptr;  // "sendto", "recvmsg" or the request's name
  std::string kernel_message;     // extended ack text ("Nexthop device is not up"), if any
};

class RtnlSocket {
 public:
  using MessageHandler = std::function<void(const nlmsghdr*)>;

  // Each open socket holds one receive buffer of this size, freed by Close().
  // Kernel dump messages are at most 32 KiB when the reader's buffer is that
  // large; twice that leaves room for a link message with many attributes.
  static constexpr size_t kReceiveBufferSize = 64 * 1024;

  RtnlSocket() = default;
  ~RtnlSocket();
  RtnlSocket(const RtnlSocket&) = delete;
  RtnlSocket& operator=(const RtnlSocket&) = delete;

  // Opens the socket (inside `netns` when not null; see netns.h) and joins
  // `groups` (RTNLGRP_* numbers) when it is to be a monitor. With `keep_netns`
  // the namespace file stays open, so OpenIn() can later open more sockets in
  // the very same namespace (even if its name is deleted and reused meanwhile).
  // Returns 0 or an error.
  RtnlError Open(const char* netns, const std::vector<unsigned>& groups, bool non_blocking, bool keep_netns = false);
  // Opens a blocking request socket in the namespace `netns_fd` refers to (-1:
  // the caller's own); `netns_path` only names it in errors.
  RtnlError OpenIn(int netns_fd, const std::string& netns_path);
  // Closes the socket and frees its receive buffer. Idempotent.
  void Close();
  int fd() const { return fd_; }
  const std::string& netns_path() const { return netns_path_; }
  // Bytes held for receiving: kReceiveBufferSize while open, 0 once closed.
  size_t buffer_bytes() const { return buffer_.capacity(); }
  // A new descriptor for the namespace kept by Open(keep_netns), or an invalid
  // one for the caller's own namespace. Returns 0 or -errno.
  int DupNetns(UniqueFd* out) const;
  // True when the kernel checks get/dump requests strictly
  // (NETLINK_GET_STRICT_CHK, Linux 4.20+), and so applies dump filters itself.
  bool strict() const { return strict_; }

  // Sends `request` (NLM_F_ACK is added) and waits for its ack. Any message
  // the kernel sends back before the ack (an echo, a get reply) goes to `on_message`.
  RtnlError Transact(nlmsghdr* request, const char* name, const MessageHandler& on_message = nullptr);

  // Sends a dump request (NLM_F_DUMP is added) and feeds every message to
  // `on_message` until NLMSG_DONE. An interrupted dump (the table changed
  // during it) is retried from the start, as iproute2 does. When `cancelled`
  // turns true the dump stops with ECANCELED after the datagram in hand; the
  // rest of the reply is still queued, so the socket must be closed after.
  RtnlError Dump(nlmsghdr* request, const char* name, const MessageHandler& on_message,
                 const std::atomic<bool>* cancelled = nullptr);

  // Monitor side: reads what is queued without blocking. Returns the number of
  // messages delivered, or -errno (-EAGAIN when nothing is left; -ENOBUFS when
  // the kernel dropped notifications because the queue overflowed).
  int ReadNotifications(const MessageHandler& on_message);

 private:
  RtnlError Setup(int fd, const std::vector<unsigned>& groups);
  RtnlError Send(nlmsghdr* request, const char* name);
  // Receives one datagram into buffer_; returns its length or -errno.
  ssize_t Receive(int flags);

  int fd_ = -1;
  uint32_t seq_ = 0;
  bool strict_ = false;
  std::string netns_path_;
  UniqueFd netns_fd_;
  std::vector<char> buffer_;
};

}  // namespace hostwire
