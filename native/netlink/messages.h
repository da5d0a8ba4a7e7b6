// rtnetlink messages decoded into plain structs (routes, links, bridge FDB
// entries) and route requests encoded from them. No N-API here: the monitor
// and the request calls share these decoders.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <string>

namespace hostwire {

struct RouteInfo {
  uint8_t family = 0;  // AF_INET or AF_INET6
  uint8_t prefix = 0;
  uint8_t protocol = 0;
  uint8_t scope = 0;
  uint8_t type = 0;
  uint32_t table = 0;
  uint32_t flags = 0;  // rtm_flags (RTM_F_CLONED, …)
  uint32_t oif = 0;    // 0: none
  bool has_metric = false;
  uint32_t metric = 0;
  uint8_t dst[16] = {0};
  bool has_gateway = false;
  uint8_t gateway[16] = {0};
  bool has_prefsrc = false;
  uint8_t prefsrc[16] = {0};
  bool multipath = false;
};

struct LinkInfo {
  uint32_t index = 0;
  uint32_t flags = 0;
  uint32_t mtu = 0;
  uint32_t master = 0;  // 0: none
  uint8_t operstate = 0;
  uint16_t type = 0;  // ARPHRD_*
  std::string name;
  std::string kind;  // IFLA_INFO_KIND: "bridge", "veth", … or empty
  uint8_t mac[32] = {0};
  uint8_t mac_length = 0;
};

struct FdbInfo {
  uint32_t ifindex = 0;
  uint32_t master = 0;  // 0: none
  uint16_t state = 0;   // NUD_* (NUD_PERMANENT, NUD_NOARP = static, NUD_REACHABLE = learned)
  uint8_t flags = 0;    // NTF_* (self, master, extern_learn, …)
  bool has_vlan = false;
  uint16_t vlan = 0;
  uint8_t mac[6] = {0};
  bool has_mac = false;
  uint8_t dst_family = 0;  // VXLAN remote (NDA_DST), when present
  uint8_t dst[16] = {0};
};

// Each returns false when the message is not of that kind or is malformed.
bool DecodeRoute(const nlmsghdr* header, RouteInfo* out);
bool DecodeLink(const nlmsghdr* header, LinkInfo* out);
bool DecodeFdb(const nlmsghdr* header, FdbInfo* out);

// Address width of a family: 4, 16, or 0 for an unknown family.
inline unsigned AddressLength(uint8_t family) { return family == 2 ? 4 : family == 10 ? 16 : 0; }

}  // namespace hostwire
