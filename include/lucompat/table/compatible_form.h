// The form of a family's compatible strings as the catalog states them, for
// finding the core ABI strings in a kernel's bytes: data the catalog gives
// and the derivation reads, below both.
#pragma once

#include <string>

#include "lucompat/table/version_table.h"

namespace lucompat {

// A compatible form "PREFIX{N}SUFFIX", N a decimal integer, and the kind of
// string it is: a core ABI string (luo-vN) or a KHO subtree's (memblock-vN).
struct CompatibleForm {
  std::string prefix;
  std::string suffix;
  EntryKind kind = EntryKind::core;
};

}  // namespace lucompat
