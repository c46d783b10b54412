// Each container probe on its own: the first byte picks the probe (bzImage,
// UKI/PE, zboot, arm64 and riscv Image, compressed stream, ARM zImage,
// embedded payload), the rest is its input. A probe either declines, throws a
// ParseError, or returns inner bytes that lie inside its input or a buffer it
// owns.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "container/probe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static constexpr std::array<lucompat::Probe, 8> kProbes{
      &lucompat::probe_bzimage,     &lucompat::probe_uki,         &lucompat::probe_zboot,
      &lucompat::probe_arm64_image, &lucompat::probe_riscv_image, &lucompat::probe_compressed,
      &lucompat::probe_arm_zimage,  &lucompat::probe_embedded_payload};
  const lucompat::Bytes input(reinterpret_cast<const std::byte*>(data + 1), size - 1);
  lucompat::UnwrapOptions options;
  options.max_output = 4u << 20;
  const lucompat::ProbeContext context{options, (data[0] & 0x80) != 0};
  try {
    auto step = kProbes[data[0] % kProbes.size()](input, context);
    if (step && !step->buffer) {
      const bool inside = step->inner.data() >= input.data() &&
                          step->inner.data() + step->inner.size() <= input.data() + input.size();
      if (!inside) std::abort();  // a view outside its input would be read out of bounds
    }
  } catch (const lucompat::ParseError&) {
  }
  return 0;
}
