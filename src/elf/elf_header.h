// The ELF file header, read and range-checked by us before libelf sees the
// file, so that a broken header yields an error naming the field and offset.
#pragma once

#include <cstdint>

#include "lucompat/base/byte_reader.h"

namespace lucompat {

struct ElfHeader {
  int elf_class = 0;  // 32 or 64
  ByteOrder order = ByteOrder::little;
  uint16_t type = 0;
  uint16_t machine = 0;
  uint64_t phoff = 0;
  uint16_t phentsize = 0;
  uint32_t phnum = 0;
  uint64_t shoff = 0;
  uint16_t shentsize = 0;
  uint32_t shnum = 0;      // resolved through section 0 when e_shnum overflows
  uint32_t shstrndx = 0;   // resolved through section 0 when it is SHN_XINDEX
  // The file was cut before its section headers (early exit): shoff, shnum
  // and shstrndx are left zero, and only the program headers are read.
  bool sections_cut = false;
};

bool has_elf_magic(Bytes data);

// Throws ParseError. Guarantees that the program and section header tables lie
// inside `file` and that shstrndx names a section. A `cut` file is a prefix
// of the ELF: its section headers are ignored.
ElfHeader parse_elf_header(Bytes file, bool cut = false);

}  // namespace lucompat
