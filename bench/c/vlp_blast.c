/* Load for the observer. "blast SENDERS PATH SECONDS": SENDERS forked
 * processes each send valid VLP v0.2 frames with their own pid as fast as the
 * socket takes them. "steady AGENTS PATH SECONDS": one process sends one frame
 * per second for each of AGENTS distinct pids (the observer must run with
 * pid verification off), spread evenly over the second. Prints "ready". */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vlp_common.h"

static void encode(uint8_t *f, uint32_t pid, uint64_t ts, uint64_t nonce) { vlp_encode(f, 0, pid, ts, nonce, 7); }
static int open_to(const char *path) {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    perror("connect");
    exit(1);
  }
  return fd;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s blast|steady N PATH SECONDS\n", argv[0]);
    return 2;
  }
  int n = atoi(argv[2]);
  const char *path = argv[3];
  uint64_t end = now_ns() + (uint64_t)(atof(argv[4]) * 1e9);
  uint8_t f[32];
  if (strcmp(argv[1], "steady") == 0) {
    int fd = open_to(path);
    printf("ready\n");
    fflush(stdout);
    uint64_t start = now_ns(), nonce = 1;
    while (now_ns() < end) {
      for (int a = 0; a < n; a++) {
        /* agent a beats at start + k s + a/n s */
        uint64_t due = start + (nonce - 1) * 1000000000ull + (uint64_t)a * 1000000000ull / (uint64_t)n;
        uint64_t t = now_ns();
        if (due > t) {
          struct timespec d = {(time_t)((due - t) / 1000000000ull), (long)((due - t) % 1000000000ull)};
          nanosleep(&d, NULL);
        }
        encode(f, 1000 + (uint32_t)a, now_ns() - start, nonce);
        send(fd, f, 32, MSG_NOSIGNAL);
      }
      nonce++;
    }
    return 0;
  }
  for (int s = 0; s < n; s++) {
    if (fork() == 0) {
      int fd = open_to(path);
      uint32_t pid = (uint32_t)getpid();
      uint64_t origin = now_ns(), nonce = 1;
      while (now_ns() < end) {
        for (int k = 0; k < 64; k++) {
          encode(f, pid, now_ns() - origin, nonce);
          if (send(fd, f, 32, MSG_NOSIGNAL) == 32) nonce++;
        }
      }
      _exit(0);
    }
  }
  printf("ready\n");
  fflush(stdout);
  while (wait(NULL) > 0) continue;
  return 0;
}
