#include "dgram/socket_options.h"

#include <errno.h>
#include <sys/socket.h>

namespace hostwire {

int OpenUnixDgramSocket() {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  return fd >= 0 ? fd : -errno;
}

int SetSocketBufferSize(int fd, int option, int bytes) {
  if (::setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof(bytes)) != 0) return -errno;
  return 0;
}

int GetSocketBufferSize(int fd, int option) {
  int value = 0;
  socklen_t len = sizeof(value);
  if (::getsockopt(fd, SOL_SOCKET, option, &value, &len) != 0) return -errno;
  return value;
}

}  // namespace hostwire
