/* The limit for one heartbeat: encode a VLP v0.2 frame (monotonic timestamp,
 * nonce, CRC-32C with the SSE4.2 instruction) and send() it on a connected
 * non-blocking AF_UNIX datagram socket. Prints {"nsPerOp","sent","dropped"}. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vlp_common.h"

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s PATH COUNT\n", argv[0]);
    return 2;
  }
  long count = atol(argv[2]);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    perror("connect");
    return 1;
  }
  uint32_t pid = (uint32_t)getpid();
  uint64_t origin = now_ns(), nonce = 1;
  uint8_t f[32];
  long sent = 0, dropped = 0;
  double t0 = 0;
  for (long i = -count / 10; i < count; i++) {
    if (i == 0) {
      t0 = (double)now_ns();
      sent = dropped = 0;
    }
    uint64_t ts = now_ns() - origin;
    vlp_encode(f, 0, pid, ts, nonce, 0);
    if (send(fd, f, 32, MSG_NOSIGNAL) == 32) {
      sent++;
      nonce++;
    } else {
      dropped++;
    }
  }
  double t1 = (double)now_ns();
  printf("{\"nsPerOp\":%.2f,\"sent\":%ld,\"dropped\":%ld}\n", (t1 - t0) / (double)count, sent, dropped);
  return 0;
}
