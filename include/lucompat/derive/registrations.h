// Turning what a reader found in a kernel (its memory image, the objects its
// symbols name, the layout of LUO's structs) into a derived version table:
// the core strings and every object that is a file handler or an FLB. One
// place for every kind of evidence (a symbol table, kallsyms).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "lucompat/derive/core_strings.h"
#include "lucompat/derive/memory_image.h"
#include "lucompat/derive/object_matcher.h"
#include "lucompat/table/table_location.h"

namespace lucompat {

struct RegistrationSearch {
  Evidence evidence = Evidence::symtab;
  std::string module;          // the module's name; empty for a kernel
  bool link_addresses = true;  // false in a relocatable module: no addresses
};

// One more entry, in the next slot.
void append_entry(LocatedTable& out, std::string compatible, uint64_t offset, Registration reg);

// The core ABI strings in the image's read-only regions, except those whose
// input offset `skip` says (an RFC table's section: no evidence of the code).
void add_core_strings(LocatedTable& out, const MemoryImage& image,
                      std::span<const CompatibleForm> forms, const RegistrationSearch& search,
                      bool (*skip)(const void* context, uint64_t offset) = nullptr,
                      const void* context = nullptr);

// Every candidate that matches `layout`, handlers first, then FLBs, each in
// address order; the ones sized and shaped like one but refused go to
// out.location.near_misses.
void add_registrations(LocatedTable& out, const MemoryImage& image,
                       const std::vector<ObjectCandidate>& candidates,
                       const RegistrationLayout& layout, const RegistrationSearch& search);

}  // namespace lucompat
