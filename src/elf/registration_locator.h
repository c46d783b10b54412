// What an ELF file gives the derivation of its version set (derive/
// derivation.h): its bytes by address and kind of memory, its object symbols
// with their sizes, its BTF and, in a module, what its relocations point to.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "elf/libelf_file.h"
#include "lucompat/base/byte_range.h"
#include "lucompat/derive/core_strings.h"
#include "lucompat/derive/derived_set.h"
#include "lucompat/derive/luo_model.h"

namespace lucompat {

struct RegistrationOptions {
  std::vector<CompatibleForm> core_forms;  // the catalog's core families
  // A module's own split BTF holds only its new types; the structs are in its
  // kernel's BTF. The kernel's model, when the caller has it.
  std::optional<LuoModel> base_model;
  std::string module_name;  // for the entries of a module
  std::string release;      // the kernel's, for its documented layout
};

struct Derivation {
  std::optional<DerivedSet> set;      // nullopt: no symbol table to find them by
  std::optional<LuoModel> own_model;  // read from the file's own BTF
};

// Throws ParseError on a broken symbol table, relocation section or BTF.
Derivation derive_registrations(const LibelfFile& elf, Bytes file,
                                const std::vector<ByteRange>& present,
                                const RegistrationOptions& options);

// Without any symbols: a structural scan of a linked file's writable data
// for objects shaped like a handler (an FLB too when BTF gives its exact
// size), every entry with Evidence::scan. nullopt when nothing is found.
// Throws ParseError on a broken BTF.
std::optional<DerivedSet> scan_registrations(const LibelfFile& elf, Bytes file,
                                             const RegistrationOptions& options);

}  // namespace lucompat
