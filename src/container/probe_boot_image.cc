// Raw kernel Images (objcopy -O binary): arm64 and riscv. No sections: the
// table is found by magic scan, in the byte order the header states.
#include <fmt/format.h>

#include "container/probe.h"

namespace lucompat {

namespace {

bool sniff_arm64(Bytes head) {
  const std::string_view s = as_chars(head);
  return s.size() >= 0x40 && s.substr(0x38, 4) == "ARM\x64";
}

bool sniff_riscv(Bytes head) {
  const std::string_view s = as_chars(head);
  return s.size() >= 0x40 && (s.substr(0x38, 4) == "RSC\x05" ||
                              s.substr(0x30, 8) == std::string_view("RISCV\0\0\0", 8));
}

std::optional<Step> probe_arm64(Bytes data, const ProbeContext& context) {
  if (!sniff_arm64(data)) return std::nullopt;
  const ByteReader r(data, ByteOrder::little);
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

std::optional<Step> probe_riscv(Bytes data, const ProbeContext& context) {
  if (!sniff_riscv(data)) return std::nullopt;
  const ByteReader r(data, ByteOrder::little);
  Step step;
  step.layer.format = with_stub("riscv Image", context);
  step.layer.size = data.size();
  step.layer.details.emplace_back("image_size", fmt::format("{}", r.u64(0x10, "image_size")));
  step.raw_order = ByteOrder::little;
  step.inner = data;
  step.raw_image = true;
  return step;
}

}  // namespace

const ContainerProbe kArm64ImageProbe{ContainerKind::arm64_image, "arm64 Image", &sniff_arm64,
                                      &probe_arm64, Capture::sparse};
const ContainerProbe kRiscvImageProbe{ContainerKind::riscv_image, "riscv Image", &sniff_riscv,
                                      &probe_riscv, Capture::sparse};

}  // namespace lucompat
