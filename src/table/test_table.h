// For the unit tests: version table bytes laid out the way the kernel lays
// them out, in either byte order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "lucompat/base/byte_reader.h"

namespace lucompat::testing {

struct TableBytes {
  std::string bytes;

  TableBytes& header(ByteOrder order, uint32_t magic = 0x4c565550, uint32_t version = 1) {
    put32(order, magic);
    put32(order, version);
    return *this;
  }
  TableBytes& entry(std::string_view s) {
    std::string slot(48, '\0');
    slot.replace(0, std::min<size_t>(s.size(), 48), s.substr(0, 48));
    bytes += slot;
    return *this;
  }
  // A format-2 integer-version slot: tag 1, three zero bytes, u32 version,
  // 40 bytes of name.
  TableBytes& integer(ByteOrder order, std::string_view name, uint32_t version) {
    bytes += std::string("\x01\0\0\0", 4);
    put32(order, version);
    std::string field(40, '\0');
    field.replace(0, std::min<size_t>(name.size(), 40), name.substr(0, 40));
    bytes += field;
    return *this;
  }
  TableBytes& raw(std::string_view s) {
    bytes += s;
    return *this;
  }
  Bytes view() const { return as_bytes(bytes); }

 private:
  void put32(ByteOrder order, uint32_t v) {
    for (int i = 0; i < 4; ++i) {
      const int shift = order == ByteOrder::little ? 8 * i : 8 * (3 - i);
      bytes += static_cast<char>((v >> shift) & 0xff);
    }
  }
};

}  // namespace lucompat::testing
