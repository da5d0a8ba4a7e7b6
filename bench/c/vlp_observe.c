/* The observer's limit: "PATH WARMUP_S SECONDS" binds an AF_UNIX datagram
 * socket with SO_PASSCRED, reads it in recvmmsg batches of 256 (64-byte slots,
 * the sender's credentials attached, as the hostwire observer reads), checks
 * every datagram — 32 bytes, magic, version 2, CRC-32C (SSE4.2), status, and
 * the frame's pid against the kernel-attested sender — and counts the frames
 * that pass. Prints "ready" once bound; starts the clock WARMUP_S after the
 * first datagram, then prints {"framesPerSec", "datagramsPerSec", "cpuPercent"}
 * after SECONDS (cpuPercent: this process's CPU over the window, user + system;
 * under 100 % of its core means the senders, not the reader, set the pace). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "vlp_common.h"

#define BATCH 256
#define SLOT 64
#define CONTROL CMSG_SPACE(sizeof(struct ucred))

/* 1 when the frame passes the checks the observer makes before tracking it. */
static uint64_t cpu_ns(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
         (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

static int valid(const uint8_t *f, unsigned len, pid_t sender) {
  if (len != 32 || f[0] != 0x56 || f[1] != 0x41 || f[2] != 2) return 0;
  uint32_t crc, pid;
  memcpy(&crc, f + 28, 4);
  if (crc32c(f, 28) != crc) return 0;
  if (f[3] > 2) return 0; /* unknown status, or Stall on the wire */
  memcpy(&pid, f + 4, 4);
  return pid > 1 && pid == (uint32_t)sender;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s PATH WARMUP_S SECONDS\n", argv[0]);
    return 2;
  }
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
  struct timeval tick = {.tv_sec = 0, .tv_usec = 200000}; /* wake to see the clock even if the senders stop */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  unlink(argv[1]);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    perror("bind");
    return 1;
  }
  printf("ready\n");
  fflush(stdout);

  static uint8_t buf[BATCH][SLOT];
  static uint8_t control[BATCH][CONTROL];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  uint64_t warmup = (uint64_t)(atof(argv[2]) * 1e9), duration = (uint64_t)(atof(argv[3]) * 1e9);
  uint64_t start = 0, end = 0, frames = 0, datagrams = 0, cpu_start = 0;
  for (;;) {
    for (int i = 0; i < BATCH; i++) {
      iov[i].iov_base = buf[i];
      iov[i].iov_len = SLOT;
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = control[i];
      msgs[i].msg_hdr.msg_controllen = CONTROL;
    }
    int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE | MSG_TRUNC, NULL);
    uint64_t t = now_ns();
    if (start != 0 && t >= end) break;
    if (n <= 0) continue;
    if (start == 0) {
      start = t + warmup;
      end = start + duration;
    }
    if (t < start) continue;
    if (cpu_start == 0) cpu_start = cpu_ns();
    datagrams += (uint64_t)n;
    for (int i = 0; i < n; i++) {
      pid_t sender = -1;
      struct msghdr *h = &msgs[i].msg_hdr;
      for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
          struct ucred cred;
          memcpy(&cred, CMSG_DATA(c), sizeof cred);
          sender = cred.pid;
        }
      }
      frames += (uint64_t)valid(buf[i], msgs[i].msg_len, sender);
    }
  }
  double seconds = (double)(end - start) / 1e9;
  double cpu = (double)(cpu_ns() - cpu_start) / 1e9;
  unlink(argv[1]);
  printf("{\"framesPerSec\":%.0f,\"datagramsPerSec\":%.0f,\"cpuPercent\":%.1f}\n", (double)frames / seconds,
         (double)datagrams / seconds, cpu / seconds * 100);
  return 0;
}
