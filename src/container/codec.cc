#include "lucompat/container/codec.h"

#include <array>
#include <vector>

#include "container/codecs.h"

namespace lucompat {
namespace {

using namespace std::string_view_literals;

// Magics from the kernel's compressors (scripts/Makefile.lib) and their formats.
constexpr std::array kCodecs{
    Codec{"gzip", "\x1f\x8b\x08"sv, &decode_gzip},
    Codec{"xz", "\xfd" "7zXZ\x00"sv, &decode_xz},
    Codec{"bzip2", "BZh"sv, &decode_bzip2},
    Codec{"lzma", "\x5d\x00\x00"sv, &decode_lzma},
    Codec{"lzo", "\x89LZO\x00\r\n\x1a\n"sv, &decode_lzo},
    Codec{"lz4", "\x02\x21\x4c\x18"sv, &decode_lz4_legacy},
    Codec{"zstd", "\x28\xb5\x2f\xfd"sv, &decode_zstd},
};

}  // namespace

std::span<const Codec> codecs() { return kCodecs; }

const Codec* codec_at(Bytes data) {
  const std::string_view head = as_chars(data);
  for (const auto& c : kCodecs)
    if (head.starts_with(c.magic)) return &c;
  return nullptr;
}

const Codec* codec_named(std::string_view name) {
  // EFI zboot names its compression after the kernel's Kconfig choice.
  if (name == "xzkern") name = "xz";
  if (name == "zstd22") name = "zstd";
  for (const auto& c : kCodecs)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace lucompat
