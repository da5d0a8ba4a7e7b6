// A blocking NETLINK_ROUTE request socket: one request, then its ack or its
// dump. rtnetlink handles a request inside the sending syscall, so the reply
// is already queued when send() returns; a receive timeout only guards
// against a wedged kernel. Pure C++: nothing here knows about N-API.
#pragma once

#include <linux/netlink.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hostwire {

struct RtnlError {
  int err = 0;                  // positive errno, 0 when the request succeeded
  const char* syscall = nullptr;  // "sendto", "recvmsg" or the request's name
  std::string kernelMessage;    // extended ack text ("Nexthop device is not up"), if any
};

class RtnlSocket {
 public:
  using MessageHandler = std::function<void(const nlmsghdr*)>;

  RtnlSocket() = default;
  ~RtnlSocket();
  RtnlSocket(const RtnlSocket&) = delete;
  RtnlSocket& operator=(const RtnlSocket&) = delete;

  // Opens the socket (inside `netns` when not null; see netns.h) and joins
  // `groups` (RTNLGRP_* numbers) when it is to be a monitor. Returns 0 or an error.
  RtnlError Open(const char* netns, const std::vector<unsigned>& groups, bool nonBlocking);
  void Close();
  int fd() const { return fd_; }
  // Bytes of the receive buffer (freed by Close), for owners to report to V8.
  size_t bufferBytes() const { return buffer_.capacity(); }
  const std::string& netnsPath() const { return netnsPath_; }

  // Sends `request` (NLM_F_ACK is added) and waits for its ack. Any message
  // the kernel sends back before the ack (an echo, a get reply) goes to `onMessage`.
  RtnlError Transact(nlmsghdr* request, const char* name, const MessageHandler& onMessage = nullptr);

  // Sends a dump request (NLM_F_DUMP is added) and feeds every message to
  // `onMessage` until NLMSG_DONE. An interrupted dump (the table changed
  // during it) is retried from the start, as iproute2 does.
  RtnlError Dump(nlmsghdr* request, const char* name, const MessageHandler& onMessage);

  // Monitor side: reads what is queued without blocking. Returns the number of
  // messages delivered, or -errno (-EAGAIN when nothing is left; -ENOBUFS when
  // the kernel dropped notifications because the queue overflowed).
  int ReadNotifications(const MessageHandler& onMessage);

 private:
  RtnlError Send(nlmsghdr* request, const char* name);
  // Receives one datagram into buffer_; returns its length or -errno.
  ssize_t Receive(int flags);

  int fd_ = -1;
  uint32_t seq_ = 0;
  std::string netnsPath_;
  std::vector<char> buffer_;
};

}  // namespace hostwire
