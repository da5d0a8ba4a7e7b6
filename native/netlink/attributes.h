// Building and walking rtnetlink attributes (struct rtattr): the TLV format
// every rtnetlink message carries after its fixed header.
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include <cstddef>
#include <cstdint>

namespace hostwire {

// Appends attributes to a request held in a fixed buffer. The request's
// nlmsg_len is kept current; `ok()` turns false if the buffer would overflow.
class AttributeWriter {
 public:
  // `request` is the whole request buffer, starting with its nlmsghdr.
  AttributeWriter(void* request, size_t capacity) : header_(static_cast<nlmsghdr*>(request)), capacity_(capacity) {}

  void Put(uint16_t type, const void* data, size_t length) {
    const size_t offset = NLMSG_ALIGN(header_->nlmsg_len);
    const size_t total = RTA_LENGTH(length);
    if (offset + RTA_ALIGN(total) > capacity_) {
      ok_ = false;
      return;
    }
    // Written through memcpy: the attribute lies past the header's own struct.
    char* at = reinterpret_cast<char*>(header_) + offset;
    const rtattr attr = {static_cast<uint16_t>(total), type};
    memcpy(at, &attr, sizeof attr);
    if (length > 0) memcpy(at + RTA_LENGTH(0), data, length);
    header_->nlmsg_len = static_cast<uint32_t>(offset + RTA_ALIGN(total));
  }
  void PutU32(uint16_t type, uint32_t value) { Put(type, &value, sizeof value); }
  void PutString(uint16_t type, const char* value) { Put(type, value, strlen(value) + 1); }
  bool ok() const { return ok_; }

 private:
  nlmsghdr* header_;
  size_t capacity_;
  bool ok_ = true;
};

// Indexes the top-level attributes of one message by type (last one wins),
// so decoders look attributes up instead of looping over them.
template <size_t kMax>
class AttributeTable {
 public:
  AttributeTable(const rtattr* first, int length) {
    for (size_t i = 0; i <= kMax; i++) table_[i] = nullptr;
    for (const rtattr* attr = first; RTA_OK(attr, length); attr = RTA_NEXT(attr, length)) {
      const uint16_t type = attr->rta_type & NLA_TYPE_MASK;
      if (type <= kMax) table_[type] = attr;
    }
  }
  const rtattr* Get(size_t type) const { return type <= kMax ? table_[type] : nullptr; }
  size_t Length(size_t type) const { return table_[type] == nullptr ? 0 : RTA_PAYLOAD(table_[type]); }
  const void* Data(size_t type) const { return table_[type] == nullptr ? nullptr : RTA_DATA(table_[type]); }
  bool U32(size_t type, uint32_t* out) const {
    if (Length(type) < sizeof(uint32_t)) return false;
    memcpy(out, Data(type), sizeof(uint32_t));
    return true;
  }
  bool U16(size_t type, uint16_t* out) const {
    if (Length(type) < sizeof(uint16_t)) return false;
    memcpy(out, Data(type), sizeof(uint16_t));
    return true;
  }

 private:
  const rtattr* table_[kMax + 1];
};

}  // namespace hostwire
