// One container around a kernel: a bzImage, a UKI, a compressed stream...
// An input is a chain of them, outermost first, ending at an ELF or a raw image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lucompat {

// What a layer is, for decisions; `format` is for people.
enum class ContainerKind : uint8_t {
  zboot,        // EFI zboot
  uki,          // a PE/COFF EFI application with a .linux section
  bzimage,      // x86 bzImage
  arm64_image,  // raw arm64 Image
  riscv_image,  // raw riscv Image
  compressed,   // a compressed stream
  arm_zimage,   // 32-bit ARM zImage, its payload found by scanning
  embedded,     // a decompressor with a payload found by scanning (s390x)
};

struct Layer {
  ContainerKind kind = ContainerKind::compressed;
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
