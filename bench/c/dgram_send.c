/* The physical limit for one datagram send: a connected, non-blocking
 * AF_UNIX socket and a tight send() loop of one 32-byte datagram.
 * Prints {"nsPerOp", "sent", "dropped"} as JSON. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "clock.h"

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
  unsigned char frame[32];
  memset(frame, 7, sizeof frame);
  long sent = 0, dropped = 0;
  for (long i = 0; i < count / 10; i++) send(fd, frame, sizeof frame, MSG_NOSIGNAL); /* warm-up */
  double t0 = (double)now_ns();
  for (long i = 0; i < count; i++) {
    if (send(fd, frame, sizeof frame, MSG_NOSIGNAL) == (ssize_t)sizeof frame) {
      sent++;
    } else {
      dropped++;
    }
  }
  double t1 = (double)now_ns();
  printf("{\"nsPerOp\":%.2f,\"sent\":%ld,\"dropped\":%ld}\n", (t1 - t0) / (double)count, sent, dropped);
  return 0;
}
