// Small socket helpers shared by the datagram sender and receiver.
#pragma once

namespace hostwire {

// A non-blocking, close-on-exec AF_UNIX SOCK_DGRAM socket; returns fd or -errno.
int OpenUnixDgramSocket();

// SO_SNDBUF / SO_RCVBUF. Get returns the size the kernel reports (it doubles
// what was set, for bookkeeping); both return -errno on failure.
int SetSocketBufferSize(int fd, int option, int bytes);
int GetSocketBufferSize(int fd, int option);

}  // namespace hostwire
