// The one reader of ELF records: file header, program and section headers,
// symbols and relocations, of either class and byte order. Each field is
// read through the bounds-checked ByteReader at the offset and width its
// <elf.h> record gives it (offsetof, sizeof), never at a literal offset, and
// an error names the field. Every ELF parser of lucompat reads through this:
// the header checks (elf_header.h), the range planner (elf_layout.h), the
// stream capture, the symbol reader and /proc/kcore.
#pragma once

#include <cstdint>

#include "lucompat/base/byte_reader.h"

namespace lucompat {

// The class-independent values of a record, widened to 64 bits.
struct ElfFileHeader {
  int elf_class = 0;  // 32 or 64, from e_ident
  ByteOrder order = ByteOrder::little;
  uint16_t type = 0;
  uint16_t machine = 0;
  uint64_t phoff = 0;
  uint64_t shoff = 0;
  uint16_t phentsize = 0;
  uint32_t phnum = 0;
  uint16_t shentsize = 0;
  uint32_t shnum = 0;     // e_shnum; elf_header.h resolves an overflow
  uint32_t shstrndx = 0;  // e_shstrndx; elf_header.h resolves SHN_XINDEX
};

struct ElfProgramHeader {
  uint32_t type = 0;
  uint64_t offset = 0;
  uint64_t vaddr = 0;
  uint64_t filesz = 0;
  uint64_t align = 0;
};

struct ElfSectionHeader {
  uint32_t name_offset = 0;  // sh_name: in the section name table
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t addr = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t addralign = 0;
  uint32_t link = 0;  // sh_link: a symbol table's string table, a relocation section's symbol table
  uint32_t info = 0;  // sh_info: the section a relocation section applies to
};

struct ElfSymbolRecord {
  uint32_t name = 0;
  uint8_t info = 0;
  uint16_t shndx = 0;
  uint64_t value = 0;
  uint64_t size = 0;
};

struct ElfRelocation {
  uint64_t offset = 0;
  uint32_t symbol = 0;
  uint32_t type = 0;
  int64_t addend = 0;  // 0 for REL
};

// e_ident's class and byte order, then the rest of the header in that order.
// Throws ParseError when the bytes hold no ELF header of a known class and
// byte order.
ElfFileHeader read_file_header(Bytes file);

// Where the file's headers say its bytes end: past its section header table
// (e_shnum's; a linker writes it last) and past every segment's file bytes;
// UINT64_MAX when a sum overflows. Throws ParseError when `file` does not
// hold the file header and the program headers. A kernel's decompressed
// stream may go on after it (x86's relocations follow its vmlinux).
uint64_t declared_extent(Bytes file);

// Record `index` of a table at `table` with entries of `entsize` bytes, read
// as the class says; `r` is in the file's byte order.
ElfProgramHeader read_program_header(const ByteReader& r, int elf_class, uint64_t table,
                                     uint64_t entsize, uint64_t index);
ElfSectionHeader read_section_header(const ByteReader& r, int elf_class, uint64_t table,
                                     uint64_t entsize, uint64_t index);

// One entry of a symbol table or of a REL/RELA section, `at` its offset in `r`.
ElfSymbolRecord read_symbol(const ByteReader& r, int elf_class, uint64_t at);
ElfRelocation read_relocation(const ByteReader& r, int elf_class, bool rela, uint64_t at);

// The sizes of those records in a class (an entry size to check against).
uint64_t program_header_size(int elf_class);
uint64_t section_header_size(int elf_class);
uint64_t symbol_size(int elf_class);
uint64_t relocation_size(int elf_class, bool rela);

}  // namespace lucompat
