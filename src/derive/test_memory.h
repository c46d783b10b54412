// A running kernel's memory for tests of the walks over it.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "lucompat/derive/registration_list.h"

namespace lucompat::testing {

// A little-endian 64-bit kernel's memory: whatever the test wrote, byte by
// byte; reading a byte nobody wrote fails, as an unmapped kcore page would.
class FakeMemory : public KernelMemory {
 public:
  void put(uint64_t address, uint64_t value) {
    for (unsigned i = 0; i < 8; ++i) bytes_[address + i] = std::byte(value >> (8 * i));
  }
  void put(uint64_t address, std::string_view s, size_t field) {
    for (size_t i = 0; i < field; ++i) bytes_[address + i] = std::byte(i < s.size() ? s[i] : 0);
  }
  Result<std::vector<std::byte>> read(uint64_t address, uint64_t size) const override {
    std::vector<std::byte> out;
    for (uint64_t i = 0; i < size; ++i) {
      const auto it = bytes_.find(address + i);
      if (it == bytes_.end()) return Error{ErrorKind::io, "memory", address + i, "unmapped"};
      out.push_back(it->second);
    }
    return out;
  }
  unsigned pointer_size() const override { return 8; }
  ByteOrder order() const override { return ByteOrder::little; }

 private:
  std::map<uint64_t, std::byte> bytes_;
};

}  // namespace lucompat::testing
