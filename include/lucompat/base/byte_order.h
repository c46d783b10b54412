// Byte order of an input, and loads of fixed-width integers in a given order.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace lucompat {

enum class ByteOrder { little, big };

constexpr ByteOrder other(ByteOrder o) {
  return o == ByteOrder::little ? ByteOrder::big : ByteOrder::little;
}

constexpr std::string_view name(ByteOrder o) {
  return o == ByteOrder::little ? "little-endian" : "big-endian";
}

template <typename T>
constexpr T byteswap(T v) {
  static_assert(std::is_unsigned_v<T>);
  if constexpr (sizeof(T) == 1)
    return v;
  else if constexpr (sizeof(T) == 2)
    return __builtin_bswap16(v);
  else if constexpr (sizeof(T) == 4)
    return __builtin_bswap32(v);
  else
    return __builtin_bswap64(v);
}

// memcpy, not a pointer cast: inputs are unaligned untrusted bytes.
template <typename T>
T load(const std::byte* p, ByteOrder order) {
  T v;
  std::memcpy(&v, p, sizeof v);
  const ByteOrder host =
      std::endian::native == std::endian::little ? ByteOrder::little : ByteOrder::big;
  return order == host ? v : byteswap(v);
}

}  // namespace lucompat
