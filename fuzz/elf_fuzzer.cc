// ELF reading from memory: our header checks, libelf, table location,
// identity, and the registration derivation (symbols, relocations, BTF,
// object matching, core strings).
#include <cstddef>
#include <cstdint>

#include "lucompat/elf/elf_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lucompat::ElfReadOptions options;
  // Any forms do: the fuzzer exercises the string scan, not the catalog.
  options.core_forms = {{"luo-v", ""}, {"kho-v", ""}};
  (void)lucompat::read_elf(lucompat::Bytes(reinterpret_cast<const std::byte*>(data), size), options);
  return 0;
}
