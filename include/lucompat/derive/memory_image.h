// A kernel's (or module's) loaded bytes by address, as the registration
// matcher reads them: regions of text, read-only data and data, and, for a
// relocatable module, what the relocation at a pointer-sized slot points to.
// Built by the readers (ELF sections, later kallsyms-located images); the
// matcher itself never sees a file format.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "lucompat/base/byte_reader.h"

namespace lucompat {

enum class RegionKind { text, rodata, data };

// The instruction set of an image's text, for finding what its code refers
// to (code_references.h). `unknown`: only pointers stored whole are seen.
enum class Isa { unknown, x86_64, i386, arm64, arm, riscv, ppc64, s390x };

struct CodeModel {
  Isa isa = Isa::unknown;
  // ppc64: what r2 holds (the TOC base), which code addresses data from.
  std::optional<uint64_t> toc;
};

struct MemoryRegion {
  uint64_t address = 0;  // of bytes[0]
  uint64_t offset = 0;   // input offset of bytes[0]
  Bytes bytes;
  RegionKind kind = RegionKind::data;
};

// What a pointer slot holds once the image is loaded.
struct Pointer {
  enum class To {
    null,      // nothing
    address,   // an address in this image
    external,  // a symbol defined elsewhere (a module calling into the kernel)
  };
  To to = To::null;
  uint64_t address = 0;
};

struct MemoryImage {
  unsigned pointer_size = 8;
  ByteOrder order = ByteOrder::little;
  std::vector<MemoryRegion> regions;
  CodeModel code;
  // A relocatable file: pointers are whatever the relocation at the slot
  // says; a slot without one holds null only if its bytes are zero.
  bool relocatable = false;
  // Slot address -> its relocation's target; nullopt marks a relocation of a
  // type that is not a plain absolute pointer (never trusted as one).
  std::map<uint64_t, std::optional<Pointer>> relocations;
  // Object symbols by address -> size, when the input has sizes (a symbol
  // table): the ops an object points to must then be one whole object.
  std::optional<std::map<uint64_t, uint64_t>> object_sizes;
  // Without sizes (kallsyms): (symbol address, the bytes up to the next
  // symbol), one per address in address order, as kallsyms lists them; a
  // kernel has 100,000 and more, which a map allocated node by node. The ops
  // an object points to must start at a symbol and fit.
  std::optional<std::vector<std::pair<uint64_t, uint64_t>>> object_rooms;

  // The room of the symbol that starts at `address` (object_rooms), if any.
  std::optional<uint64_t> room_at(uint64_t address) const;
  // The region holding [address, address + size), or null.
  const MemoryRegion* region_of(uint64_t address, uint64_t size) const;
  // The bytes at [address, address + size), or nullopt when not all in one region.
  std::optional<Bytes> read(uint64_t address, uint64_t size) const;
  // The pointer at a slot, or nullopt when the slot is unreadable or holds
  // something that is not a pointer this image can vouch for.
  std::optional<Pointer> pointer_at(uint64_t address) const;
};

}  // namespace lucompat
