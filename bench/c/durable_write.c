/* The physical limit for a durable config replace: write a temp file, fsync
 * it, rename it over the target, fsync the directory — COUNT times.
 * Prints {"nsPerOp"} as JSON. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s DIR COUNT BYTES\n", argv[0]);
    return 2;
  }
  const char *dir = argv[1];
  long count = atol(argv[2]);
  size_t bytes = (size_t)atol(argv[3]);
  char *data = malloc(bytes);
  memset(data, 'x', bytes);
  char target[4096], temp[4096];
  snprintf(target, sizeof target, "%s/config.toml", dir);
  snprintf(temp, sizeof temp, "%s/.config.toml.tmp", dir);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    perror("open dir");
    return 1;
  }
  double t0 = (double)now_ns();
  for (long i = 0; i < count; i++) {
    int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      perror("open");
      return 1;
    }
    if (write(fd, data, bytes) != (ssize_t)bytes) {
      perror("write");
      return 1;
    }
    if (fsync(fd) != 0) {
      perror("fsync");
      return 1;
    }
    close(fd);
    if (rename(temp, target) != 0) {
      perror("rename");
      return 1;
    }
    if (fsync(dfd) != 0) {
      perror("fsync dir");
      return 1;
    }
  }
  double t1 = (double)now_ns();
  printf("{\"nsPerOp\":%.0f}\n", (t1 - t0) / (double)count);
  return 0;
}
