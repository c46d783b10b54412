// EFI zboot (arm64, riscv, loongarch vmlinuz.efi): a PE whose header names the
// compression of the Image it carries.
#include <fmt/format.h>

#include <string_view>
#include <utility>

#include "container/probe.h"

namespace lucompat {

namespace {

// The names Makefile.zboot writes (comp-type-y) and the codec of each: any
// other, even a codec's own name, is no kernel's.
constexpr std::pair<std::string_view, std::string_view> kCompressions[] = {
    {"gzip", "gzip"}, {"lz4", "lz4"},   {"lzma", "lzma"},
    {"lzo", "lzo"},   {"xzkern", "xz"}, {"zstd22", "zstd"},
};

const Codec* codec_for(std::string_view name) {
  for (const auto& [written, codec] : kCompressions)
    if (name == written) return codec_named(codec);
  return nullptr;
}

bool sniff(Bytes head) {
  const std::string_view s = as_chars(head);
  return s.size() >= 0x40 && s.starts_with("MZ") && s.substr(4, 4) == "zimg";
}

std::optional<Step> probe(Bytes data, const ProbeContext&) {
  if (!sniff(data)) return std::nullopt;
  const ByteReader r(data, ByteOrder::little);
  const uint32_t offset = r.u32(8, "zboot payload offset");
  const uint32_t size = r.u32(12, "zboot payload size");
  const std::string_view field = as_chars(r.bytes(0x18, 32, "zboot compression name"));
  const std::string name(field.substr(0, field.find('\0')));
  const Codec* codec = codec_for(name);
  if (codec == nullptr)
    fail(ErrorKind::unsupported, 0x18,
         fmt::format("EFI zboot compression \"{}\" is not one the kernel writes (gzip, lz4, lzma, "
                     "lzo, xzkern, zstd22)",
                     name));
  if (!r.contains(offset, size))
    fail_beyond_end(
        offset, data.size(), 8,
        fmt::format("zboot payload ({} bytes) extends beyond the end of the file at {:#x}", size,
                    data.size()));
  // zstd payloads are followed by their size, outside the header's count.
  const uint64_t with_trailer = r.contains(offset, uint64_t{size} + 4) ? uint64_t{size} + 4 : size;
  const Bytes payload = r.bytes(offset, with_trailer, "zboot payload");
  if (codec_at(payload) != codec)
    fail(ErrorKind::malformed, offset,
         fmt::format("zboot header says {} but the payload does not start with its magic", name));
  Step step;
  step.layer.format = "EFI zboot";
  step.layer.offset = offset;
  step.layer.size = size;
  step.layer.details.emplace_back("zboot_compression", name);
  step.inner = payload;
  return step;
}

}  // namespace

const ContainerProbe kZbootProbe{ContainerKind::zboot, "EFI zboot", &sniff, &probe, Capture::whole};

}  // namespace lucompat
