#include "table/fixed_slot_entries.h"

#include "lucompat/table/table_format.h"

#include <fmt/format.h>

#include <unordered_map>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>

#include "lucompat/liveupdate_versions.h"
#include "lucompat/table/compatible.h"

namespace lucompat {
namespace {

enum class SlotKinds { strings, strings_and_integers };

struct SlotProblem {
  uint64_t offset;
  std::string message;
};

struct Slot {
  std::string text;
  std::optional<SlotProblem> error;       // makes the table unusable
  std::optional<SlotProblem> stray_byte;  // a non-zero byte after the NUL
};

// A format-2 slot whose first byte is this holds a name and a u32 version;
// a string slot cannot start with it, since strings are printable.
// The producer's header (include/lucompat/liveupdate_versions.h) is the
// format's one description; these are its fields as the decoder reads them.
constexpr unsigned char kIntegerSlotTag = LUCOMPAT_LIVEUPDATE_INTEGER_TAG;
constexpr uint64_t kIntegerVersionAt = offsetof(lucompat_liveupdate_integer_version, version);
constexpr uint64_t kIntegerNameAt = offsetof(lucompat_liveupdate_integer_version, name);
static_assert(kFixedSlotSize == LUCOMPAT_LIVEUPDATE_ENTRY_SIZE, "a slot is the header's entry");
static_assert(kIntegerNameAt + LUCOMPAT_LIVEUPDATE_INTEGER_NAME_SIZE == kFixedSlotSize,
              "an integer-version entry's name runs to the slot's end");

// The NUL-terminated printable text at c[from, size), and the first stray
// byte after its NUL. `what` names the field in messages.
Slot read_text(const ByteReader& r, uint64_t at, const unsigned char* c, size_t from, size_t size,
               uint32_t number, std::string_view what) {
  const auto* nul = static_cast<const unsigned char*>(std::memchr(c + from, 0, size - from));
  Slot s;
  if (nul == nullptr) {
    s.error = SlotProblem{r.base() + at + from,
                          fmt::format("entry {}: no NUL terminator within its {} {}bytes", number,
                                      size - from, what)};
    return s;
  }
  const size_t end = nul - c;
  for (size_t i = from; i < end; ++i) {
    if (c[i] < 0x20 || c[i] > 0x7e) {
      s.error = SlotProblem{
          r.base() + at + i,
          fmt::format("entry {}: non-printable byte {:#04x} at position {}", number, c[i], i)};
      return s;
    }
  }
  s.text.assign(reinterpret_cast<const char*>(c + from), end - from);
  for (size_t i = end + 1; i < size; ++i) {
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

// Layout (format 2): tag 0x01, three zero bytes, u32 version (target byte
// order, at least 1), then the component's name NUL-terminated and
// zero-padded in the remaining 40 bytes. The entry reads as "NAME@VERSION".
Slot read_integer_slot(const ByteReader& r, uint64_t at, const unsigned char* c, uint32_t number) {
  for (uint64_t i = 1; i < kIntegerVersionAt; ++i)
    if (c[i] != 0)
      return {{},
              SlotProblem{r.base() + at + i,
                          fmt::format("entry {}: integer-version entry with non-zero reserved "
                                      "byte {:#04x} at position {}",
                                      number, c[i], i)},
              {}};
  const uint32_t version = r.u32(at + kIntegerVersionAt, "an integer version");
  Slot s = read_text(r, at, c, kIntegerNameAt, kFixedSlotSize, number, "name ");
  if (s.error) return s;
  if (version == 0)
    s.error = SlotProblem{
        r.base() + at + kIntegerVersionAt,
        fmt::format("entry {}: integer version 0 of \"{}\" (versions start at 1)", number, s.text)};
  else if (s.text.empty())
    s.error =
        SlotProblem{r.base() + at + kIntegerNameAt,
                    fmt::format("entry {}: integer version {} without a name", number, version)};
  else if (const size_t bad = s.text.find_first_of(";@"); bad != std::string::npos)
    s.error = SlotProblem{r.base() + at + kIntegerNameAt + bad,
                          fmt::format("entry {}: integer-version name \"{}\" holds '{}'", number,
                                      s.text, s.text[bad])};
  else
    s.text = integer_compatible(s.text, version);
  return s;
}

Slot read_slot(const ByteReader& r, uint64_t at, uint32_t number, SlotKinds kinds) {
  const Bytes b = r.bytes(at, kFixedSlotSize, "a 48-byte table entry");
  const auto* c = reinterpret_cast<const unsigned char*>(b.data());
  if (c[0] == kIntegerSlotTag) {
    if (kinds == SlotKinds::strings_and_integers) return read_integer_slot(r, at, c, number);
    return {{},
            SlotProblem{r.base() + at,
                        fmt::format("entry {}: an integer-version entry (first byte {:#04x}), "
                                    "which only format version 2 has",
                                    number, c[0])},
            {}};
  }
  Slot s = read_text(r, at, c, 0, kFixedSlotSize, number, "");
  if (s.error) return s;
  if (auto p = compatible_problem(s.text))
    s.error =
        SlotProblem{r.base() + at + p->position, fmt::format("entry {}: {}", number, p->message)};
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

void decode_fixed_slots(const ByteReader& r, VersionTable& out, SlotKinds kinds) {
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
    Slot s = read_slot(r, at, number, kinds);
    if (s.error) fail(ErrorKind::malformed, s.error->offset, s.error->message);
    add_entry(out, seen, std::move(s), r.base() + at, number);
  }
}

// The next output section is aligned at least this much.
constexpr uint64_t kSectionAlign = 8;

// Where the table ends: an all-zero slot, or one that opens with the zeros
// the linker pads with up to the next output section, which starts on an
// aligned boundary with bytes of its own (a riscv Image built without
// kallsyms: 16 zeros, then the next section's data). An entry never opens
// with a NUL, and a damaged one would need its first 8 bytes zeroed to pass.
bool ends_table(const ByteReader& r, uint64_t at) {
  const Bytes b = r.bytes(at, kFixedSlotSize, "a 48-byte table entry");
  const auto data = std::find_if(b.begin(), b.end(), [](std::byte c) { return c != std::byte{0}; });
  if (data == b.end()) return true;
  const auto zeros = static_cast<uint64_t>(data - b.begin());
  return zeros >= kSectionAlign && (r.base() + at + zeros) % kSectionAlign == 0;
}

// Without a size, the end of the table must be told from damage: the linker
// pads the end of read-only data with zeros, so the table ends at a slot of
// padding (ends_table) or where the bytes end. Any other slot that is not a
// clean entry (a stray byte after the NUL included) is damage and makes the
// table unusable: stopping there silently would drop entries and could turn
// an incompatible update into a compatible one.
void scan_fixed_slots(const ByteReader& r, VersionTable& out, SlotKinds kinds) {
  uint32_t number = 1;
  Seen seen = seen_in(out);
  for (uint64_t at = 0; r.contains(at, kFixedSlotSize); at += kFixedSlotSize, ++number) {
    if (ends_table(r, at)) return;
    Slot s = read_slot(r, at, number, kinds);
    if (!s.error && s.stray_byte) s.error = std::move(s.stray_byte);
    if (s.error)
      fail(ErrorKind::malformed, s.error->offset,
           s.error->message +
               " (a table found by its magic has no size: it ends at a slot of zero padding, so "
               "a damaged slot cannot be skipped)");
    add_entry(out, seen, std::move(s), r.base() + at, number);
  }
}

}  // namespace

void decode_string_slots(const ByteReader& r, VersionTable& out) {
  decode_fixed_slots(r, out, SlotKinds::strings);
}
void scan_string_slots(const ByteReader& r, VersionTable& out) {
  scan_fixed_slots(r, out, SlotKinds::strings);
}
void decode_versioned_slots(const ByteReader& r, VersionTable& out) {
  decode_fixed_slots(r, out, SlotKinds::strings_and_integers);
}
void scan_versioned_slots(const ByteReader& r, VersionTable& out) {
  scan_fixed_slots(r, out, SlotKinds::strings_and_integers);
}

}  // namespace lucompat
