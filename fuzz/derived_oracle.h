// The oracle for tables derived from registrations, shared by the targets
// that derive them (elf, inspect). A derived string is read out of the
// input's own bytes, never made up: each one is spelled there and ends with
// a NUL, a core string at its entry's offset, a handler's or an FLB's inside
// the object that starts at it. An entry also says what it was derived from.
#pragma once

#include <string>
#include <string_view>

#include "lucompat/base/byte_reader.h"
#include "lucompat/derive/derived_set.h"

namespace lucompat::fuzz {

inline void check_derived(const DerivedSet& t, Bytes input) {
  const std::string_view all = as_chars(input);
  for (const TableEntry& e : t.entries) {
    if (!e.registration || e.compatible.empty() || e.compatible.find('\0') != std::string::npos ||
        e.offset > all.size())
      __builtin_trap();
    const std::string spelled = e.compatible + '\0';
    const std::string_view from = all.substr(e.offset);
    const bool found =
        e.registration->kind == EntryKind::core || e.registration->kind == EntryKind::subtree
            ? from.starts_with(spelled)
            : from.find(spelled) != std::string_view::npos;
    if (!found) __builtin_trap();
  }
}

}  // namespace lucompat::fuzz
