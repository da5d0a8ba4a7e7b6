/* Shared by the rtnetlink reference programs: enter a named network
 * namespace and open a bound NETLINK_ROUTE socket in it. Raw netlink only. */
#pragma once
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* setns() */
#endif
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* setns() into /run/netns/NAME (what `ip netns add` creates); the whole
 * process then lives in that namespace. */
static int nl_enter_netns(const char *name) {
  char path[512];
  snprintf(path, sizeof path, "/run/netns/%s", name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    perror(path);
    return -1;
  }
  if (setns(fd, CLONE_NEWNET) != 0) {
    perror("setns");
    close(fd);
    return -1;
  }
  close(fd);
  return 0;
}

static int nl_open_route(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) {
    perror("socket(AF_NETLINK)");
    return -1;
  }
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0) {
    perror("bind");
    close(fd);
    return -1;
  }
  return fd;
}
