// The ELF file header, read and range-checked by us before libelf sees the
// file, so that a broken header yields an error naming the field and offset.
#pragma once

#include <cstdint>

#include "lucompat/base/byte_reader.h"
#include "lucompat/elf/elf_records.h"

namespace lucompat {

// The file header as read, checked: shnum and shstrndx resolved through
// section 0 when they overflow their fields.
struct ElfHeader : ElfFileHeader {
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
