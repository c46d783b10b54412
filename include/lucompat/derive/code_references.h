// Which objects an image refers to. A scan finds objects by their shape
// alone; a registered handler or FLB is also referred to, by the code that
// passes its address to liveupdate_register_file_handler() or
// liveupdate_register_flb(), or by a table of pointers. An object nothing
// refers to was never registered.
#pragma once

#include <cstdint>
#include <set>
#include <span>

#include "lucompat/derive/memory_image.h"

namespace lucompat {

// Of `targets`, those that some bytes of `image` refer to: a pointer stored
// whole (in any region, at the pointer's alignment), or in text an
// instruction sequence of the image's Isa that forms the address:
//   x86_64  a 32-bit immediate (zero- or sign-extended) or a RIP-relative
//           displacement; i386: a 32-bit immediate
//   arm64   adr, or adrp and an add of the low 12 bits
//   arm     movw and movt (ARM state); literal pools are pointers stored whole
//   riscv   lui or auipc, and an addi of the low 12 bits
//   ppc64   addi from the TOC, or addis from it and an addi
//   s390x   larl
// Unknown Isa: pointers stored whole only. Never says that an address is
// referred to when no such bytes are there; may miss a reference the
// compiler formed another way (the object is then not counted: undecided).
std::set<uint64_t> referenced(const MemoryImage& image, std::span<const uint64_t> targets);

}  // namespace lucompat
