#include "table/fixed_slot_entries.h"

#include "lucompat/table/table_format.h"

#include <fmt/format.h>

#include <unordered_map>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

namespace lucompat {
namespace {

struct SlotProblem {
  uint64_t offset;
  std::string message;
};

struct Slot {
  std::string text;
  std::optional<SlotProblem> error;        // makes the table unusable
  std::optional<SlotProblem> stray_byte;   // a non-zero byte after the NUL
};

Slot read_slot(const ByteReader& r, uint64_t at, uint32_t number) {
  const Bytes b = r.bytes(at, kFixedSlotSize, "a 48-byte table entry");
  const auto* c = reinterpret_cast<const unsigned char*>(b.data());
  const auto* nul = static_cast<const unsigned char*>(std::memchr(c, 0, b.size()));
  Slot s;
  if (nul == nullptr) {
    s.error = SlotProblem{r.base() + at,
                          fmt::format("entry {}: no NUL terminator within its 48 bytes", number)};
    return s;
  }
  const size_t len = nul - c;
  for (size_t i = 0; i < len; ++i) {
    if (c[i] < 0x20 || c[i] > 0x7e) {
      s.error = SlotProblem{r.base() + at + i,
                            fmt::format("entry {}: non-printable byte {:#04x} at position {}",
                                        number, c[i], i)};
      return s;
    }
  }
  s.text.assign(reinterpret_cast<const char*>(c), len);
  for (size_t i = len + 1; i < b.size(); ++i) {
    if (c[i] != 0) {
      s.stray_byte = SlotProblem{
          r.base() + at + i,
          fmt::format("entry {} (\"{}\"): non-zero byte {:#04x} after the terminator at "
                      "position {} (the kernel zero-pads entries)",
                      number, s.text, c[i], i)};
      break;
    }
  }
  return s;
}

void check_count(uint32_t number, uint64_t offset) {
  if (number > kMaxTableEntries)
    fail(ErrorKind::limit, offset,
         fmt::format("the table has more than {} entries", kMaxTableEntries));
}

// The slot of each string so far: a hash lookup keeps a 4096-entry table
// linear (bench/micro: decode_table/4096).
using Seen = std::unordered_map<std::string, uint32_t>;

Seen seen_in(const VersionTable& out) {
  Seen seen;
  for (const auto& e : out.entries) seen.emplace(e.compatible, e.slot);
  return seen;
}

void add_entry(VersionTable& out, Seen& seen, Slot s, uint64_t offset, uint32_t number) {
  check_count(number, offset);
  if (s.stray_byte) out.warnings.push_back({s.stray_byte->offset, s.stray_byte->message});
  if (s.text.empty()) {
    out.warnings.push_back({offset, fmt::format("entry {}: empty string (skipped)", number)});
    return;
  }
  const auto [dup, fresh] = seen.emplace(s.text, number);
  if (!fresh)
    out.warnings.push_back(
        {offset, fmt::format("entry {}: \"{}\" duplicates entry {}", number, s.text, dup->second)});
  out.entries.push_back({number, std::move(s.text), offset});
}

}  // namespace

void decode_fixed_slot_entries(const ByteReader& r, VersionTable& out) {
  if (r.size() % kFixedSlotSize != 0)
    fail(ErrorKind::malformed, r.base(),
         fmt::format("entries take {} bytes, which is not a multiple of the {}-byte entry size "
                     "({} whole entries and {} bytes left over)",
                     r.size(), kFixedSlotSize, r.size() / kFixedSlotSize,
                     r.size() % kFixedSlotSize));
  const uint32_t first = static_cast<uint32_t>(out.entries.size()) + 1;
  Seen seen = seen_in(out);
  for (uint64_t at = 0; at < r.size(); at += kFixedSlotSize) {
    const auto number = static_cast<uint32_t>(first + at / kFixedSlotSize);
    Slot s = read_slot(r, at, number);
    if (s.error) fail(ErrorKind::malformed, s.error->offset, s.error->message);
    add_entry(out, seen, std::move(s), r.base() + at, number);
  }
}

bool is_zero_slot(const ByteReader& r, uint64_t at) {
  const Bytes b = r.bytes(at, kFixedSlotSize, "a 48-byte table entry");
  return std::all_of(b.begin(), b.end(), [](std::byte c) { return c == std::byte{0}; });
}

// Without a size, the end of the table must be told from damage: the linker
// pads the end of read-only data with zeros, so the table ends at an all-zero
// slot or where the bytes end. Any other slot that is not a clean entry
// (a stray byte after the NUL included) is damage and makes the table
// unusable: stopping there silently would drop entries and could turn an
// incompatible update into a compatible one.
void scan_fixed_slot_entries(const ByteReader& r, VersionTable& out) {
  uint32_t number = 1;
  Seen seen = seen_in(out);
  for (uint64_t at = 0; r.contains(at, kFixedSlotSize); at += kFixedSlotSize, ++number) {
    if (is_zero_slot(r, at)) return;
    Slot s = read_slot(r, at, number);
    if (!s.error && s.stray_byte) s.error = std::move(s.stray_byte);
    if (s.error)
      fail(ErrorKind::malformed, s.error->offset,
           s.error->message +
               " (a table found by its magic has no size: it ends at an all-zero slot, so a "
               "damaged slot cannot be skipped)");
    add_entry(out, seen, std::move(s), r.base() + at, number);
  }
}

}  // namespace lucompat
