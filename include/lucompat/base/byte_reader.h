// A bounds-checked view over untrusted bytes. Every read names the field it
// wanted, so a failure says where and what: "offset 0x40: expected e_shoff
// (8 bytes), but the input ends at 0x3c".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "lucompat/base/byte_order.h"
#include "lucompat/base/error.h"

namespace lucompat {

using Bytes = std::span<const std::byte>;

inline Bytes as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
inline std::string_view as_chars(Bytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Throws the error for a range that does not fit the input: at the range's
// start when that lies in the input, else at the field that claimed it, the
// claimed start then named in the message (an offset past the end names no
// byte of the input).
[[noreturn]] void fail_beyond_end(uint64_t start, uint64_t input_size, uint64_t claimed_by,
                                  std::string message);

class ByteReader {
 public:
  // base: the input offset of data[0], so errors report offsets in the whole
  // input even when this reader covers a slice of it.
  ByteReader(Bytes data, ByteOrder order, uint64_t base = 0)
      : data_(data), order_(order), base_(base) {}

  uint64_t size() const { return data_.size(); }
  uint64_t base() const { return base_; }
  ByteOrder order() const { return order_; }
  Bytes data() const { return data_; }

  // Offsets below are relative to this reader; errors add base().
  bool contains(uint64_t off, uint64_t len) const {
    return off <= data_.size() && len <= data_.size() - off;
  }

  Bytes bytes(uint64_t off, uint64_t len, std::string_view field) const {
    require(off, len, field);
    return data_.subspan(off, len);
  }
  ByteReader slice(uint64_t off, uint64_t len, std::string_view field) const {
    return ByteReader(bytes(off, len, field), order_, base_ + off);
  }

  uint8_t u8(uint64_t off, std::string_view field) const { return read<uint8_t>(off, field); }
  uint16_t u16(uint64_t off, std::string_view field) const { return read<uint16_t>(off, field); }
  uint32_t u32(uint64_t off, std::string_view field) const { return read<uint32_t>(off, field); }
  uint64_t u64(uint64_t off, std::string_view field) const { return read<uint64_t>(off, field); }

 private:
  template <typename T>
  T read(uint64_t off, std::string_view field) const {
    require(off, sizeof(T), field);
    return load<T>(data_.data() + off, order_);
  }
  void require(uint64_t off, uint64_t len, std::string_view field) const;

  Bytes data_;
  ByteOrder order_;
  uint64_t base_;
};

}  // namespace lucompat
