// Deriving a kernel's (or module's) version set from what it registers, when
// the ELF has a symbol table: every file handler and FLB object, matched by
// type evidence (sizes, BTF layout, ops shape), and the core ABI strings.
#pragma once

#include <optional>
#include <vector>

#include "elf/libelf_file.h"
#include "lucompat/base/byte_range.h"
#include "lucompat/derive/core_strings.h"
#include "lucompat/derive/registration_layout.h"
#include "lucompat/table/table_location.h"

namespace lucompat {

struct RegistrationOptions {
  std::vector<CompatibleForm> core_forms;  // the catalog's core families
  // A module's own split BTF holds only its new types; the structs are in its
  // kernel's BTF. The kernel's layout, when the caller has it.
  std::optional<RegistrationLayout> base_layout;
  std::string module_name;  // for the entries of a module
};

struct Derivation {
  bool searched = false;                         // the file has a symbol table to find them by
  std::optional<LocatedTable> table;             // nullopt: nothing registered was found
  std::optional<RegistrationLayout> own_layout;  // read from the file's own BTF
};

// Throws ParseError on a broken symbol table, relocation section or BTF.
Derivation derive_registrations(const LibelfFile& elf, Bytes file,
                                const std::vector<ByteRange>& present,
                                const RegistrationOptions& options);

// Without any symbols: a structural scan of a linked file's writable data
// for objects shaped like a handler (an FLB too when BTF gives its exact
// size), every entry with Evidence::scan. nullopt when nothing is found.
// Throws ParseError on a broken BTF.
std::optional<LocatedTable> scan_registrations(const LibelfFile& elf, Bytes file,
                                               const RegistrationOptions& options);

}  // namespace lucompat
