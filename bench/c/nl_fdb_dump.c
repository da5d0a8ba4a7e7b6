/* The physical limit for a bridge FDB listing over rtnetlink: in network
 * namespace NETNS, COUNT times dump RTM_GETNEIGH for AF_BRIDGE, read every
 * part until NLMSG_DONE, and parse each entry's MAC (NDA_LLADDR), ifindex,
 * master (NDA_MASTER), VLAN (NDA_VLAN), state and flags into a struct — the
 * work a library returning parsed entries has to do, without the objects.
 *   nl_fdb_dump NETNS COUNT
 * Prints {"nsPerOp", "entries"} as JSON (entries: of the last dump). */
#define _GNU_SOURCE
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "nl_common.h"

#ifndef AF_BRIDGE
#define AF_BRIDGE 7
#endif

struct fdb_entry {
  uint8_t mac[6];
  int32_t ifindex;
  uint32_t master; /* 0 if none */
  int32_t vlan;    /* -1 if none */
  uint16_t state;
  uint8_t flags;
};

static struct fdb_entry entries[65536];

struct dump_request {
  struct nlmsghdr nh;
  struct ndmsg nd;
};

/* One dump; returns the entry count, or -1. */
static long fdb_dump(int fd, unsigned int seq) {
  struct dump_request req;
  memset(&req, 0, sizeof req);
  req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
  req.nh.nlmsg_type = RTM_GETNEIGH;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.nh.nlmsg_seq = seq;
  req.nd.ndm_family = AF_BRIDGE;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
    perror("sendto");
    return -1;
  }

  static char buf[32768]; /* the kernel sizes dump parts to the reads it has seen, at most 32 KiB */
  long count = 0;
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      perror("recv");
      return -1;
    }
    for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned int)n); nh = NLMSG_NEXT(nh, n)) {
      if (nh->nlmsg_seq != seq) {
        fprintf(stderr, "stray message (seq %u)\n", nh->nlmsg_seq);
        return -1;
      }
      if (nh->nlmsg_type == NLMSG_DONE) return count;
      if (nh->nlmsg_type == NLMSG_ERROR) {
        int error = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
        fprintf(stderr, "RTM_GETNEIGH dump: %s\n", strerror(-error));
        return -1;
      }
      if (nh->nlmsg_type != RTM_NEWNEIGH) continue;
      const struct ndmsg *nd = NLMSG_DATA(nh);
      if (count >= (long)(sizeof entries / sizeof entries[0])) {
        fprintf(stderr, "too many entries\n");
        return -1;
      }
      struct fdb_entry *e = &entries[count++];
      memset(e->mac, 0, sizeof e->mac);
      e->ifindex = nd->ndm_ifindex;
      e->master = 0;
      e->vlan = -1;
      e->state = nd->ndm_state;
      e->flags = nd->ndm_flags;
      int len = (int)RTM_PAYLOAD(nh);
      for (struct rtattr *rta = (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof *nd)); RTA_OK(rta, len);
           rta = RTA_NEXT(rta, len)) {
        switch (rta->rta_type) {
          case NDA_LLADDR:
            if (RTA_PAYLOAD(rta) >= 6) memcpy(e->mac, RTA_DATA(rta), 6);
            break;
          case NDA_MASTER:
            if (RTA_PAYLOAD(rta) >= 4) memcpy(&e->master, RTA_DATA(rta), 4);
            break;
          case NDA_VLAN:
            if (RTA_PAYLOAD(rta) >= 2) {
              uint16_t v;
              memcpy(&v, RTA_DATA(rta), 2);
              e->vlan = v;
            }
            break;
        }
      }
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s NETNS COUNT\n", argv[0]);
    return 2;
  }
  long count = atol(argv[2]);
  if (nl_enter_netns(argv[1]) != 0) return 1;
  int fd = nl_open_route();
  if (fd < 0) return 1;

  long last = 0;
  uint64_t sink = 0; /* keeps the parsed entries observable */
  double t0 = (double)now_ns();
  for (long i = 0; i < count; i++) {
    last = fdb_dump(fd, (unsigned int)i + 1);
    if (last < 0) return 1;
    if (last > 0) sink += (uint64_t)entries[last - 1].mac[5] + (uint64_t)entries[0].ifindex;
  }
  double t1 = (double)now_ns();
  printf("{\"nsPerOp\":%.0f,\"entries\":%ld,\"sink\":%llu}\n", (t1 - t0) / (double)count, last,
         (unsigned long long)sink);
  return 0;
}
