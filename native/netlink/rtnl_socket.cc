#include "netlink/rtnl_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "netlink/netns.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

namespace hostwire {

namespace {

constexpr int kDumpAttempts = 4;

RtnlError Failure(int err, const char* syscall) {
  RtnlError e;
  e.err = err;
  e.syscall = syscall;
  return e;
}

// The text of an extended ack (NLMSGERR_ATTR_MSG), when the kernel sent one.
std::string ExtendedAckMessage(const nlmsghdr* header) {
  if ((header->nlmsg_flags & NLM_F_ACK_TLVS) == 0) return {};
  const auto* error = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
  // With NETLINK_CAP_ACK the request is not echoed; TLVs follow the header copy,
  // otherwise they follow the whole echoed request.
  size_t offset = NLMSG_HDRLEN + sizeof(nlmsgerr);
  if ((header->nlmsg_flags & NLM_F_CAPPED) == 0) offset += error->msg.nlmsg_len - NLMSG_HDRLEN;
  if (offset >= header->nlmsg_len) return {};
  int length = static_cast<int>(header->nlmsg_len - offset);
  const auto* attr = reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(header) + offset);
  for (; RTA_OK(attr, length); attr = RTA_NEXT(attr, length)) {
    if ((attr->rta_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && RTA_PAYLOAD(attr) > 0) {
      const char* text = static_cast<const char*>(RTA_DATA(attr));
      return std::string(text, strnlen(text, RTA_PAYLOAD(attr)));
    }
  }
  return {};
}

}  // namespace

RtnlSocket::~RtnlSocket() { Close(); }

void RtnlSocket::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  netns_fd_.reset();
  std::vector<char>().swap(buffer_);
}

RtnlError RtnlSocket::Open(const char* netns, const std::vector<unsigned>& groups, bool non_blocking, bool keep_netns) {
  UniqueFd ns_fd;
  if (netns != nullptr) {
    netns_path_ = NetnsPath(netns);
    // Opened on the calling thread so "no such namespace" names the path.
    int fd = OpenNetnsFile(netns_path_);
    if (fd < 0) return Failure(-fd, "open");
    ns_fd.reset(fd);
  }
  const char* failed = "socket";
  int fd =
      OpenSocketInNetns(ns_fd.get(), AF_NETLINK, SOCK_RAW | (non_blocking ? SOCK_NONBLOCK : 0), NETLINK_ROUTE, &failed);
  if (fd < 0) return Failure(-fd, failed);
  if (keep_netns) netns_fd_ = std::move(ns_fd);
  return Setup(fd, groups);
}

RtnlError RtnlSocket::OpenIn(int netns_fd, const std::string& netns_path) {
  netns_path_ = netns_path;
  const char* failed = "socket";
  int fd = OpenSocketInNetns(netns_fd, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, &failed);
  if (fd < 0) return Failure(-fd, failed);
  return Setup(fd, {});
}

int RtnlSocket::DupNetns(UniqueFd* out) const {
  out->reset();
  if (!netns_fd_.valid()) return 0;
  int fd = ::fcntl(netns_fd_.get(), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return -errno;
  out->reset(fd);
  return 0;
}

RtnlError RtnlSocket::Setup(int fd, const std::vector<unsigned>& groups) {
  fd_ = fd;
  const int one = 1;
  // Best effort: older kernels lack them, and requests still work without.
  setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);

  sockaddr_nl local = {};
  local.nl_family = AF_NETLINK;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    RtnlError e = Failure(errno, "bind");
    Close();
    return e;
  }
  for (unsigned group : groups) {
    if (setsockopt(fd_, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) != 0) {
      RtnlError e = Failure(errno, "setsockopt");
      Close();
      return e;
    }
  }
  if (!groups.empty()) {
    // A monitor that falls behind loses notifications (ENOBUFS); a larger
    // queue makes that rarer. FORCE works for root and is ignored otherwise.
    const int size = 4 * 1024 * 1024;
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
  } else {
    // Replies are queued before send() returns; this only bounds a wedged kernel.
    timeval timeout = {5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    // Strict checking lets the kernel filter route dumps (table, protocol,
    // device) instead of sending every route for us to drop.
    strict_ = setsockopt(fd_, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one) == 0;
  }
  buffer_.resize(kReceiveBufferSize);
  return {};
}

RtnlError RtnlSocket::Send(nlmsghdr* request, const char* name) {
  if (fd_ < 0) return Failure(EBADF, name);
  request->nlmsg_seq = ++seq_;
  request->nlmsg_pid = 0;
  sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = ::sendto(fd_, request, request->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return Failure(errno, "sendto");
  return {};
}

ssize_t RtnlSocket::Receive(int flags) {
  sockaddr_nl from = {};
  iovec iov = {buffer_.data(), buffer_.size()};
  msghdr message = {};
  message.msg_name = &from;
  message.msg_namelen = sizeof from;
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  ssize_t length;
  do {
    length = ::recvmsg(fd_, &message, flags);
  } while (length < 0 && errno == EINTR);
  if (length < 0) return -errno;
  if ((message.msg_flags & MSG_TRUNC) != 0) return -EMSGSIZE;
  // Only the kernel (port 0) may answer; anything else is ignored as empty.
  if (from.nl_pid != 0) return 0;
  return length;
}

RtnlError RtnlSocket::Transact(nlmsghdr* request, const char* name, const MessageHandler& on_message) {
  request->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  RtnlError sent = Send(request, name);
  if (sent.err != 0) return sent;
  const uint32_t seq = request->nlmsg_seq;
  for (;;) {
    ssize_t length = Receive(0);
    if (length < 0) return Failure(static_cast<int>(-length), "recvmsg");
    int remaining = static_cast<int>(length);
    for (auto* header = reinterpret_cast<nlmsghdr*>(buffer_.data()); NLMSG_OK(header, remaining);
         header = NLMSG_NEXT(header, remaining)) {
      if (header->nlmsg_seq != seq) continue;  // a stale reply of an earlier request
      if (header->nlmsg_type == NLMSG_ERROR) {
        const auto* error = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
        if (error->error == 0) return {};
        RtnlError e = Failure(-error->error, name);
        e.kernel_message = ExtendedAckMessage(header);
        return e;
      }
      if (on_message) on_message(header);
    }
  }
}

RtnlError RtnlSocket::Dump(nlmsghdr* request, const char* name, const MessageHandler& on_message,
                           const std::atomic<bool>* cancelled) {
  for (int attempt = 0;; attempt++) {
    request->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    RtnlError sent = Send(request, name);
    if (sent.err != 0) return sent;
    const uint32_t seq = request->nlmsg_seq;
    bool interrupted = false;
    bool done = false;
    while (!done) {
      if (cancelled != nullptr && cancelled->load(std::memory_order_relaxed)) return Failure(ECANCELED, name);
      ssize_t length = Receive(0);
      if (length < 0) return Failure(static_cast<int>(-length), "recvmsg");
      int remaining = static_cast<int>(length);
      for (auto* header = reinterpret_cast<nlmsghdr*>(buffer_.data()); NLMSG_OK(header, remaining);
           header = NLMSG_NEXT(header, remaining)) {
        if (header->nlmsg_seq != seq) continue;
        if ((header->nlmsg_flags & NLM_F_DUMP_INTR) != 0) interrupted = true;
        if (header->nlmsg_type == NLMSG_DONE) {
          done = true;
          break;
        }
        if (header->nlmsg_type == NLMSG_ERROR) {
          const auto* error = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
          RtnlError e = Failure(error->error == 0 ? EPROTO : -error->error, name);
          e.kernel_message = ExtendedAckMessage(header);
          return e;
        }
        on_message(header);
      }
    }
    if (!interrupted) return {};
    // The table changed mid-dump: what was delivered may be inconsistent.
    // Tell the consumer to discard it and start over.
    if (attempt + 1 == kDumpAttempts) return Failure(EINTR, name);
    on_message(nullptr);
  }
}

int RtnlSocket::ReadNotifications(const MessageHandler& on_message) {
  int delivered = 0;
  for (;;) {
    ssize_t length = Receive(MSG_DONTWAIT);
    if (length < 0) return (length == -EAGAIN && delivered > 0) ? delivered : static_cast<int>(length);
    int remaining = static_cast<int>(length);
    for (auto* header = reinterpret_cast<nlmsghdr*>(buffer_.data()); NLMSG_OK(header, remaining);
         header = NLMSG_NEXT(header, remaining)) {
      if (header->nlmsg_type == NLMSG_DONE || header->nlmsg_type == NLMSG_ERROR || header->nlmsg_type == NLMSG_NOOP) {
        continue;
      }
      on_message(header);
      delivered++;
    }
  }
}

}  // namespace hostwire
