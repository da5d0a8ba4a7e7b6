/* The physical limit for a route replace over rtnetlink: in network
 * namespace NETNS, COUNT times send RTM_NEWROUTE (REQUEST|ACK|CREATE|REPLACE)
 * for 10.77.0.0/16 dev br0, table main, protocol 0xb0, scope link, and wait
 * for the kernel's ack (error must be 0).
 *   nl_route_replace NETNS COUNT
 * Prints {"nsPerOp"} as JSON. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "nl_common.h"

#define HOSTWIRE_RTPROT 0xb0

struct route_request {
  struct nlmsghdr nh;
  struct rtmsg rt;
  char attrs[64];
};

static void put_attr(struct nlmsghdr *nh, unsigned short type, const void *data, unsigned short len) {
  struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));
  rta->rta_type = type;
  rta->rta_len = RTA_LENGTH(len);
  memcpy(RTA_DATA(rta), data, len);
  nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s NETNS COUNT\n", argv[0]);
    return 2;
  }
  long count = atol(argv[2]);
  if (nl_enter_netns(argv[1]) != 0) return 1;
  unsigned int oif = if_nametoindex("br0");
  if (oif == 0) {
    perror("if_nametoindex(br0)");
    return 1;
  }
  int fd = nl_open_route();
  if (fd < 0) return 1;

  struct route_request req;
  memset(&req, 0, sizeof req);
  req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
  req.nh.nlmsg_type = RTM_NEWROUTE;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
  req.rt.rtm_family = AF_INET;
  req.rt.rtm_dst_len = 16;
  req.rt.rtm_table = RT_TABLE_MAIN;
  req.rt.rtm_protocol = HOSTWIRE_RTPROT;
  req.rt.rtm_scope = RT_SCOPE_LINK;
  req.rt.rtm_type = RTN_UNICAST;
  struct in_addr dst;
  inet_pton(AF_INET, "10.77.0.0", &dst);
  put_attr(&req.nh, RTA_DST, &dst, sizeof dst);
  put_attr(&req.nh, RTA_OIF, &oif, sizeof oif);

  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  char reply[8192];
  double t0 = (double)now_ns();
  for (long i = 0; i < count; i++) {
    req.nh.nlmsg_seq = (unsigned int)i + 1;
    if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
      perror("sendto");
      return 1;
    }
    ssize_t n = recv(fd, reply, sizeof reply, 0);
    if (n < 0) {
      perror("recv");
      return 1;
    }
    struct nlmsghdr *nh = (struct nlmsghdr *)reply;
    if (!NLMSG_OK(nh, (unsigned int)n) || nh->nlmsg_type != NLMSG_ERROR || nh->nlmsg_seq != req.nh.nlmsg_seq) {
      fprintf(stderr, "unexpected reply (type %u, seq %u)\n", nh->nlmsg_type, nh->nlmsg_seq);
      return 1;
    }
    int error = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
    if (error != 0) {
      fprintf(stderr, "RTM_NEWROUTE: %s\n", strerror(-error));
      return 1;
    }
  }
  double t1 = (double)now_ns();
  printf("{\"nsPerOp\":%.0f}\n", (t1 - t0) / (double)count);
  return 0;
}
