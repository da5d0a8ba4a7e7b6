#include "netlink/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace hostwire {

std::string NetnsPath(const char* netns) {
  if (strchr(netns, '/') != nullptr) return netns;
  return std::string("/run/netns/") + netns;
}

int OpenNetnsFile(const std::string& path) {
  // PATH_MAX counts the terminating NUL: open() itself refuses such a path,
  // and a copy into a PATH_MAX buffer would silently drop its tail.
  if (path.size() >= PATH_MAX) return -ENAMETOOLONG;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

int OpenSocketInNetns(int netns_fd, int domain, int type, int protocol, const char** failed_syscall) {
  type |= SOCK_CLOEXEC;
  if (netns_fd < 0) {
    int fd = ::socket(domain, type, protocol);
    if (fd < 0) {
      *failed_syscall = "socket";
      return -errno;
    }
    return fd;
  }
  int result = 0;
  const char* step = nullptr;
  // setns(CLONE_NEWNET) is per thread; this thread dies right after, so the
  // namespace change never leaks into the event loop or the threadpool.
  std::thread worker([&] {
    if (::setns(netns_fd, CLONE_NEWNET) != 0) {
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
  if (result < 0) *failed_syscall = step;
  return result;
}

}  // namespace hostwire
