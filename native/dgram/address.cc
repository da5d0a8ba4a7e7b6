#include "dgram/address.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

namespace hostwire {

int ParseUnixAddress(const std::string& text, UnixAddress* out) {
  *out = UnixAddress{};
  out->text = text;
  out->addr.sun_family = AF_UNIX;
  if (text.empty() || text == "@") return -EINVAL;
  if (text.find('\0') != std::string::npos) return -EINVAL;

  const size_t capacity = sizeof(out->addr.sun_path);
  if (text[0] == '@') {
    // Abstract: sun_path[0] is NUL, the name follows, its length is implied by addrlen.
    const size_t name_len = text.size() - 1;
    if (name_len > capacity - 1) return -ENAMETOOLONG;
    out->abstract = true;
    memcpy(out->addr.sun_path + 1, text.data() + 1, name_len);
    out->length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name_len);
    return 0;
  }
  // Pathname: keep room for the terminating NUL so every libc agrees on the length.
  if (text.size() > capacity - 1) return -ENAMETOOLONG;
  memcpy(out->addr.sun_path, text.data(), text.size());
  out->length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + text.size() + 1);
  return 0;
}

}  // namespace hostwire
