// Locating the kallsyms tables through an ELF's .symtab: a vmlinux that
// kept its symbols names them all (kallsyms_names, kallsyms_offsets, ...),
// so nothing has to be guessed.
#pragma once

#include <optional>

#include "lucompat/base/byte_reader.h"
#include "lucompat/kallsyms/kallsyms.h"

namespace lucompat {

struct SymtabLocation {
  KallsymsLocation where;
  // What the labels say of the address table: kallsyms_addresses is
  // absolute; kallsyms_offsets without kallsyms_relative_base (7.0) is
  // place-relative on 64-bit; absent: decided from the data (relative or
  // absolute per-CPU with a base; 32-bit 7.0 kernels are place-relative
  // when relocatable, absolute otherwise).
  std::optional<KallsymsAddressing> addressing;
};

// nullopt: no .symtab, or it lacks the kallsyms_* symbols (then the tables,
// if any, are searched for). Throws ParseError for a broken ELF or a symbol
// that points outside its section's file bytes.
std::optional<SymtabLocation> locate_by_symtab(const ByteReader& elf, int pointer_size);

}  // namespace lucompat
