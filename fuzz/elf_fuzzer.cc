// ELF reading from memory: our header checks, libelf, table location,
// identity, and the registration derivation (symbols, relocations, BTF,
// object matching, core strings); without a symbol table, the structural
// scan that derives them from the bytes alone. Oracles beyond "no crash": a
// derived table holds only strings the input spells, NUL-terminated
// (derived_oracle.h); check never calls an update from the input compatible
// that it cannot prove loses nothing (verdict_oracle.h).
#include <cstddef>
#include <cstdint>

#include "derived_oracle.h"
#include "lucompat/elf/elf_reader.h"
#include "verdict_oracle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lucompat::ElfReadOptions options;
  // The catalog's forms: the verdict oracle judges the core strings found.
  options.core_forms = lucompat::fuzz::shipped_catalog().core_forms();
  const lucompat::Bytes input(reinterpret_cast<const std::byte*>(data), size);
  auto r = lucompat::read_elf(input, options);
  if (!r) return 0;
  if (r->derived) lucompat::fuzz::check_derived(*r->derived, input);
  if (!r->derived)
    if (auto scanned = lucompat::registrations_by_scan(input, "7.3.4", options.core_forms);
        scanned && *scanned) {
      lucompat::fuzz::check_derived(**scanned, input);
      r->derived = std::move(**scanned);
    }
  lucompat::Inspection current;
  current.kind = lucompat::InputKind::kernel;
  current.arch = r->elf.arch;
  current.byte_order = r->elf.order;
  current.identity = std::move(r->identity);
  current.table = std::move(r->table);
  current.derived = std::move(r->derived);
  lucompat::fuzz::check_verdict(current);
  return 0;
}
