// kallsyms_relative_base of a relocatable kernel linked as PIE (arm64 or
// riscv with RELOCATABLE): the file holds zero there, and the value is the
// addend of the R_*_RELATIVE relocation that the kernel applies to that
// place at boot. A raw Image carries those relocations (.rela.dyn) for its
// early boot code, as one array of 24-byte Elf64_Rela entries.
#pragma once

#include <cstdint>
#include <optional>

#include "lucompat/base/byte_reader.h"

namespace lucompat {

// The addend relocating the pointer at file offset `place` of a raw 64-bit
// Image, or nullopt when it cannot be proven. The Image's link address
// (file offset 0) is not stored anywhere, so it is derived: the longest run
// of RELATIVE entries is .rela.dyn; the entry for `place` must have
// r_offset = link + place, with link 64 KiB-aligned (the kernel's segment
// alignment) and every r_offset of the run and the addend inside
// [link, link + image size), and the image must hold zero at (nearly) every
// place the run relocates (the kernel links with --no-apply-dynamic-relocs).
// Exactly one such entry must exist.
std::optional<uint64_t> relocated_pointer(const ByteReader& image, uint64_t place);

}  // namespace lucompat
