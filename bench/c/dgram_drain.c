/* Benchmark receiver: binds an AF_UNIX datagram socket and drains it with
 * recvmmsg() as fast as the kernel delivers ("drain"), or binds and never
 * reads ("hold"). Prints "ready" once bound; exits on SIGTERM. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BATCH 64
#define SLOT 2048

static volatile sig_atomic_t stop;
static void on_term(int sig) {
  (void)sig;
  stop = 1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s drain|hold PATH\n", argv[0]);
    return 2;
  }
  int hold = strcmp(argv[1], "hold") == 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strncpy(addr.sun_path, argv[2], sizeof addr.sun_path - 1);
  unlink(argv[2]);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    perror("bind");
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  if (hold) {
    while (!stop) pause();
    unlink(argv[2]);
    return 0;
  }
  static char buf[BATCH][SLOT];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  unsigned long long received = 0;
  while (!stop) {
    for (int i = 0; i < BATCH; i++) {
      iov[i].iov_base = buf[i];
      iov[i].iov_len = SLOT;
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
    if (n > 0) received += (unsigned long long)n;
  }
  unlink(argv[2]);
  fprintf(stderr, "received %llu\n", received);
  return 0;
}
