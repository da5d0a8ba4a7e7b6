#include "netlink/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "common/unique_fd.h"

namespace hostwire {

int OpenSocketInNetns(const char* netns, int domain, int type, int protocol, const char** failedSyscall,
                      char* resolvedPath, unsigned resolvedPathSize) {
  type |= SOCK_CLOEXEC;
  if (netns == nullptr) {
    int fd = ::socket(domain, type, protocol);
    if (fd < 0) {
      *failedSyscall = "socket";
      return -errno;
    }
    return fd;
  }
  if (strchr(netns, '/') != nullptr) {
    snprintf(resolvedPath, resolvedPathSize, "%s", netns);
  } else {
    snprintf(resolvedPath, resolvedPathSize, "/run/netns/%s", netns);
  }
  // Opened on the calling thread so "no such namespace" names the path.
  UniqueFd nsFd(::open(resolvedPath, O_RDONLY | O_CLOEXEC));
  if (!nsFd.valid()) {
    *failedSyscall = "open";
    return -errno;
  }
  int result = 0;
  const char* step = nullptr;
  // setns(CLONE_NEWNET) is per thread; this thread dies right after, so the
  // namespace change never leaks into the event loop or the threadpool.
  std::thread worker([&] {
    if (::setns(nsFd.get(), CLONE_NEWNET) != 0) {
      step = "setns";
      result = -errno;
      return;
    }
    int fd = ::socket(domain, type, protocol);
    if (fd < 0) {
      step = "socket";
      result = -errno;
      return;
    }
    result = fd;
  });
  worker.join();
  if (result < 0) *failedSyscall = step;
  return result;
}

}  // namespace hostwire
