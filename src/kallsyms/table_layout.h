// What the tables scripts/kallsyms.c writes have in common, for every
// reader of them.
#pragma once

#include <cstdint>

namespace lucompat {

// The tables' labels are aligned to at most 8 bytes: the padding between
// two tables is shorter.
inline constexpr uint64_t kMaxPadding = 8;

inline constexpr uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

// A character of a symbol's name: printable, never a space.
inline constexpr bool name_char(char c) { return c > 0x20 && c < 0x7f; }

}  // namespace lucompat
