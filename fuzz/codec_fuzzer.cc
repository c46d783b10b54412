// Each decompressor on its own, under a 1 MiB output cap: the first byte picks
// the codec, the rest is its input.
#include <cstddef>
#include <cstdint>

#include "lucompat/container/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto codecs = lucompat::codecs();
  const lucompat::Codec& codec = codecs[data[0] % codecs.size()];
  try {
    codec.decode(lucompat::Bytes(reinterpret_cast<const std::byte*>(data + 1), size - 1),
                 [](lucompat::Bytes) { return true; }, 1u << 20);
  } catch (const lucompat::ParseError&) {
    // Corrupt, truncated or over the cap: the expected failures.
  }
  return 0;
}
