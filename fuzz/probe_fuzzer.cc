// Each container probe of the registry on its own: the first byte picks the
// probe, the rest is its input. A probe either declines, throws a ParseError,
// or returns inner bytes that lie inside its input or a buffer it owns; and a
// probe that takes its input starts it as its sniff says.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "container/probe.h"
#include "lucompat/inspect/kernel_capture_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto probes = lucompat::container_probes();
  const lucompat::ContainerProbe& probe = *probes[data[0] % probes.size()];
  const lucompat::Bytes input(reinterpret_cast<const std::byte*>(data + 1), size - 1);
  lucompat::UnwrapOptions options;
  options.max_output = 4u << 20;
  // The rules a kernel is read by, so that a payload search and a file's
  // refill run as they do for a real input.
  options.rules = &lucompat::kernel_capture_rules();
  const lucompat::ProbeContext context{options, (data[0] & 0x80) != 0, 0, probes};
  try {
    auto step = probe.probe(input, context);
    if (step && probe.sniff != nullptr && !probe.sniff(input)) std::abort();
    if (step && !step->buffer) {
      const bool inside = step->inner.data() >= input.data() &&
                          step->inner.data() + step->inner.size() <= input.data() + input.size();
      if (!inside) std::abort();  // a view outside its input would be read out of bounds
    }
  } catch (const lucompat::ParseError&) {
  }
  return 0;
}
