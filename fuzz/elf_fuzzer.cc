// ELF reading from memory: our header checks, libelf, table location, identity.
#include <cstddef>
#include <cstdint>

#include "lucompat/elf/elf_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)lucompat::read_elf(lucompat::Bytes(reinterpret_cast<const std::byte*>(data), size));
  return 0;
}
