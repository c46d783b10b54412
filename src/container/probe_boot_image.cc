// Raw kernel Images (objcopy -O binary): arm64 and riscv. No sections: the
// table is found by magic scan, in the byte order the header states.
#include <fmt/format.h>

#include "container/probe.h"

namespace lucompat {

std::optional<Step> probe_arm64_image(Bytes data, const ProbeContext& context) {
  const ByteReader r(data, ByteOrder::little);
  if (!r.contains(0, 0x40) || as_chars(r.bytes(0x38, 4, "arm64 magic")) != "ARM\x64") return std::nullopt;
  const uint64_t flags = r.u64(0x18, "arm64 flags");
  Step step;
  step.layer.format = with_stub("arm64 Image", context);
  step.layer.size = data.size();
  step.layer.details.emplace_back("text_offset", fmt::format("{:#x}", r.u64(0x08, "text_offset")));
  step.layer.details.emplace_back("image_size", fmt::format("{}", r.u64(0x10, "image_size")));
  step.raw_order = (flags & 1) != 0 ? ByteOrder::big : ByteOrder::little;
  step.layer.details.emplace_back("byte_order", std::string(name(*step.raw_order)));
  step.inner = data;
  step.raw_image = true;
  return step;
}

std::optional<Step> probe_riscv_image(Bytes data, const ProbeContext& context) {
  const ByteReader r(data, ByteOrder::little);
  if (!r.contains(0, 0x40)) return std::nullopt;
  const bool magic2 = as_chars(r.bytes(0x38, 4, "riscv magic2")) == "RSC\x05";
  const bool magic = as_chars(r.bytes(0x30, 8, "riscv magic")) == std::string_view("RISCV\0\0\0", 8);
  if (!magic && !magic2) return std::nullopt;
  Step step;
  step.layer.format = with_stub("riscv Image", context);
  step.layer.size = data.size();
  step.layer.details.emplace_back("image_size", fmt::format("{}", r.u64(0x10, "image_size")));
  step.raw_order = ByteOrder::little;
  step.inner = data;
  step.raw_image = true;
  return step;
}

}  // namespace lucompat
