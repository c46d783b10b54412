// ELF reading from memory: our header checks, libelf, table location,
// identity, and the registration derivation (symbols, relocations, BTF,
// object matching, core strings); without a symbol table, the structural
// scan that derives them from the bytes alone. Oracle beyond "no crash": a
// derived table holds only strings the input spells, NUL-terminated
// (derived_oracle.h).
#include <cstddef>
#include <cstdint>

#include "derived_oracle.h"
#include "lucompat/elf/elf_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lucompat::ElfReadOptions options;
  // Any forms do: the fuzzer exercises the string scan, not the catalog.
  options.core_forms = {{"luo-v", ""}, {"kho-v", ""}};
  const lucompat::Bytes input(reinterpret_cast<const std::byte*>(data), size);
  const auto r = lucompat::read_elf(input, options);
  if (!r) return 0;
  if (r->derived) lucompat::fuzz::check_derived(*r->derived, input);
  if (!r->derived)
    if (const auto scanned = lucompat::registrations_by_scan(input, "7.3.4", options.core_forms);
        scanned && *scanned)
      lucompat::fuzz::check_derived(**scanned, input);
  return 0;
}
