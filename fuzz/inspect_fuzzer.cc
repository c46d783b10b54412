// The whole inspect pipeline from memory: every container probe, every codec,
// the sparse stream capture, the ELF and raw readers. Caps are small so that
// an input that expands is an error quickly, not a slow run. Each input is
// read twice: whole, and with early exit (which leaves a cut ELF).
#include <cstddef>
#include <cstdint>

#include "lucompat/inspect/inspect.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lucompat::InspectOptions options;
  options.unwrap.max_output = 8u << 20;
  const lucompat::Bytes bytes(reinterpret_cast<const std::byte*>(data), size);
  (void)lucompat::inspect_bytes("fuzz", bytes, options);
  options.unwrap.early_exit = true;
  (void)lucompat::inspect_bytes("fuzz", bytes, options);
  return 0;
}
