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
  KallsymsAddressing addressing = KallsymsAddressing::relative;  // relative: offsets found
};

// nullopt: no .symtab, or it lacks the kallsyms_* symbols (then the tables,
// if any, are searched for). Throws ParseError for a broken ELF or a symbol
// that points outside its section's file bytes.
std::optional<SymtabLocation> locate_by_symtab(const ByteReader& elf);

}  // namespace lucompat
