// Finding the core ABI strings a LUO kernel writes (luo-vN, luo-session-vN,
// kho-vN): plain string literals in read-only data. Which forms to look for
// is data (the catalog's core families), not code.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "lucompat/base/byte_reader.h"
#include "lucompat/table/compatible_form.h"
#include "lucompat/table/version_table.h"

namespace lucompat {

struct FoundString {
  std::string text;
  uint64_t offset = 0;  // input offset of its first byte
  EntryKind kind = EntryKind::core;
};

// Every whole string of one of `forms` in `bytes`: it starts at the start of
// `bytes` or after a NUL, and ends at a NUL. `offset` is the input offset of
// bytes[0]. In order of appearance; repeated texts are kept once, first
// occurrence.
std::vector<FoundString> find_core_strings(Bytes bytes, uint64_t offset,
                                           std::span<const CompatibleForm> forms);

}  // namespace lucompat
