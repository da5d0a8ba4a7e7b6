#include "netlink/messages.h"

#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include "netlink/attributes.h"

namespace hostwire {

namespace {

bool CopyAddress(const AttributeTable<RTA_MAX>& attrs, int type, unsigned length, uint8_t* out) {
  if (attrs.Length(type) != length) return false;
  memcpy(out, attrs.Data(type), length);
  return true;
}

}  // namespace

bool DecodeRoute(const nlmsghdr* header, RouteInfo* out) {
  if (header->nlmsg_type != RTM_NEWROUTE && header->nlmsg_type != RTM_DELROUTE) return false;
  if (header->nlmsg_len < NLMSG_LENGTH(sizeof(rtmsg))) return false;
  const auto* msg = static_cast<const rtmsg*>(NLMSG_DATA(header));
  const unsigned width = AddressLength(msg->rtm_family);
  if (width == 0) return false;
  AttributeTable<RTA_MAX> attrs(RTM_RTA(msg), static_cast<int>(RTM_PAYLOAD(header)));
  out->family = msg->rtm_family;
  out->prefix = msg->rtm_dst_len;
  out->protocol = msg->rtm_protocol;
  out->scope = msg->rtm_scope;
  out->type = msg->rtm_type;
  out->flags = msg->rtm_flags;
  out->table = msg->rtm_table;
  attrs.U32(RTA_TABLE, &out->table);
  attrs.U32(RTA_OIF, &out->oif);
  out->has_metric = attrs.U32(RTA_PRIORITY, &out->metric);
  CopyAddress(attrs, RTA_DST, width, out->dst);
  out->has_gateway = CopyAddress(attrs, RTA_GATEWAY, width, out->gateway);
  out->has_prefsrc = CopyAddress(attrs, RTA_PREFSRC, width, out->prefsrc);
  const rtattr* multipath = attrs.Get(RTA_MULTIPATH);
  if (multipath != nullptr && RTA_PAYLOAD(multipath) >= sizeof(rtnexthop)) {
    // Several next hops: report the first one's device and gateway, and say so.
    out->multipath = true;
    const auto* hop = static_cast<const rtnexthop*>(RTA_DATA(multipath));
    if (out->oif == 0) out->oif = static_cast<uint32_t>(hop->rtnh_ifindex);
    if (!out->has_gateway && hop->rtnh_len > sizeof(rtnexthop)) {
      AttributeTable<RTA_MAX> hop_attrs(RTNH_DATA(hop), static_cast<int>(hop->rtnh_len - sizeof(rtnexthop)));
      out->has_gateway = CopyAddress(hop_attrs, RTA_GATEWAY, width, out->gateway);
    }
  }
  return true;
}

bool DecodeLink(const nlmsghdr* header, LinkInfo* out) {
  if (header->nlmsg_type != RTM_NEWLINK && header->nlmsg_type != RTM_DELLINK) return false;
  if (header->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) return false;
  const auto* msg = static_cast<const ifinfomsg*>(NLMSG_DATA(header));
  AttributeTable<IFLA_MAX> attrs(IFLA_RTA(msg), static_cast<int>(IFLA_PAYLOAD(header)));
  out->index = static_cast<uint32_t>(msg->ifi_index);
  out->flags = msg->ifi_flags;
  out->type = msg->ifi_type;
  const size_t name_length = attrs.Length(IFLA_IFNAME);
  if (name_length > 0) {
    const char* name = static_cast<const char*>(attrs.Data(IFLA_IFNAME));
    out->name.assign(name, strnlen(name, name_length));
  }
  attrs.U32(IFLA_MTU, &out->mtu);
  attrs.U32(IFLA_MASTER, &out->master);
  if (attrs.Length(IFLA_OPERSTATE) >= 1) out->operstate = *static_cast<const uint8_t*>(attrs.Data(IFLA_OPERSTATE));
  const size_t mac_length = attrs.Length(IFLA_ADDRESS);
  if (mac_length > 0 && mac_length <= sizeof out->mac) {
    memcpy(out->mac, attrs.Data(IFLA_ADDRESS), mac_length);
    out->mac_length = static_cast<uint8_t>(mac_length);
  }
  const rtattr* linkinfo = attrs.Get(IFLA_LINKINFO);
  if (linkinfo != nullptr) {
    AttributeTable<IFLA_INFO_MAX> info(static_cast<const rtattr*>(RTA_DATA(linkinfo)),
                                       static_cast<int>(RTA_PAYLOAD(linkinfo)));
    const size_t kind_length = info.Length(IFLA_INFO_KIND);
    if (kind_length > 0) {
      const char* kind = static_cast<const char*>(info.Data(IFLA_INFO_KIND));
      out->kind.assign(kind, strnlen(kind, kind_length));
    }
  }
  return true;
}

bool DecodeFdb(const nlmsghdr* header, FdbInfo* out) {
  if (header->nlmsg_type != RTM_NEWNEIGH && header->nlmsg_type != RTM_DELNEIGH) return false;
  if (header->nlmsg_len < NLMSG_LENGTH(sizeof(ndmsg))) return false;
  const auto* msg = static_cast<const ndmsg*>(NLMSG_DATA(header));
  if (msg->ndm_family != AF_BRIDGE) return false;
  AttributeTable<NDA_MAX> attrs(
      reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(msg) + NLMSG_ALIGN(sizeof(ndmsg))),
      static_cast<int>(header->nlmsg_len - NLMSG_LENGTH(sizeof(ndmsg))));
  out->ifindex = static_cast<uint32_t>(msg->ndm_ifindex);
  out->state = msg->ndm_state;
  out->flags = msg->ndm_flags;
  attrs.U32(NDA_MASTER, &out->master);
  out->has_vlan = attrs.U16(NDA_VLAN, &out->vlan);
  if (attrs.Length(NDA_LLADDR) == 6) {
    memcpy(out->mac, attrs.Data(NDA_LLADDR), 6);
    out->has_mac = true;
  }
  const size_t dst_length = attrs.Length(NDA_DST);
  if (dst_length == 4 || dst_length == 16) {
    out->dst_family = dst_length == 4 ? AF_INET : AF_INET6;
    memcpy(out->dst, attrs.Data(NDA_DST), dst_length);
  }
  return true;
}

}  // namespace hostwire
