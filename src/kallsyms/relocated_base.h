// kallsyms_relative_base of a relocatable kernel linked as PIE (arm64 or
// riscv with RELOCATABLE, s390x): the file holds zero there, and the value is the
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

// The same for a raw image whose linker applied the RELATIVE relocations in
// the file and kept its .dynamic, as s390x's 6.1 vmlinux.bin does (big-endian,
// no --no-apply-dynamic-relocs): kallsyms_relative_base holds zero there
// because its relocation is R_390_64 against _text. The link address is the
// one at which a run of RELATIVE entries finds its addends at (nearly) all
// its places; .dynamic is the array whose DT_RELA names that table there;
// the value is the entry's addend, plus its symbol's value from DT_SYMTAB
// for a symbolic one. nullopt when any step is not proven.
std::optional<uint64_t> applied_relocated_pointer(const ByteReader& image, uint64_t place);

}  // namespace lucompat
