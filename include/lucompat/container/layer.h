// One container around a kernel: a bzImage, a UKI, a compressed stream...
// An input is a chain of them, outermost first, ending at an ELF or a raw image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lucompat {

struct Layer {
  std::string format;       // "x86 bzImage + PE/COFF EFI stub", "xz", "UKI", "EFI zboot"
  uint64_t offset = 0;      // where this layer's inner bytes start in the layer's own bytes
  uint64_t size = 0;        // how many of its bytes the inner data takes (compressed size)
  std::string compression;  // codec name when this layer is a compressed stream
  std::optional<uint64_t> decompressed_size;
  std::optional<uint32_t> size_trailer;  // the 4-byte size the kernel build appends
  std::vector<std::pair<std::string, std::string>> details;  // ordered facts to show
  std::vector<std::string> warnings;
};

}  // namespace lucompat
