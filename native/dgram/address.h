// AF_UNIX addresses: a filesystem path, or "@name" for Linux's abstract namespace.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <string>

namespace hostwire {

struct UnixAddress {
  sockaddr_un addr{};
  socklen_t length = 0;
  bool abstract = false;
  std::string text;  // as the caller wrote it, for error messages

  const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&addr); }
};

// Fills `out`; returns 0, or -EINVAL (empty, NUL byte) / -ENAMETOOLONG.
int ParseUnixAddress(const std::string& text, UnixAddress* out);

}  // namespace hostwire
