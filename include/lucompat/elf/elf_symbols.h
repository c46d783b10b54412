// An ELF symbol table (.symtab) and its relocations, read with the checked
// ByteReader: the registration derivation needs symbol sizes and, in a
// relocatable module, the relocations that fill its pointers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lucompat/base/byte_reader.h"
#include "lucompat/elf/elf_records.h"

namespace lucompat {

struct ElfSymbol {
  std::string name;
  uint64_t value = 0;
  uint64_t size = 0;
  uint8_t type = 0;     // STT_*
  uint8_t binding = 0;  // STB_*
  uint16_t shndx = 0;   // SHN_UNDEF, a section index, or a reserved index
};

// Symbols of a SHT_SYMTAB section; names from its string table. A symbol
// whose name lies outside the string table is an error (throws ParseError).
std::vector<ElfSymbol> read_symbols(const ByteReader& symtab, const ByteReader& strtab,
                                    int elf_class);

// Entries of a SHT_RELA (`rela` true) or SHT_REL section.
std::vector<ElfRelocation> read_relocations(const ByteReader& section, int elf_class, bool rela);

// The relocation type that stores a plain absolute pointer on this machine
// (R_X86_64_64, R_AARCH64_ABS64, ...), or 0 when we know none.
uint32_t absolute_pointer_relocation(uint16_t machine, int elf_class);

}  // namespace lucompat
