// The registry of table formats lucompat can decode. A later format (another
// magic, a format version 2, a .liveupdate_features section) is one more row
// here with its own entry decoder, not a change to the callers.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "lucompat/base/byte_reader.h"
#include "lucompat/table/version_table.h"

namespace lucompat {

// More entries than this is not a kernel's table but a hostile input; it is
// refused (a limit error) rather than read.
inline constexpr uint64_t kMaxTableEntries = 4096;

struct TableFormat {
  std::string_view section;         // output section holding the table
  std::string_view header_section;  // input section of the header before the final link
  uint32_t magic;
  uint32_t version;
  uint32_t header_size;
  uint32_t entry_size;  // 0 when entries are not of one fixed size
  // Decodes the entries that follow the header; throws ParseError.
  void (*decode_entries)(const ByteReader& entries, VersionTable& out);
  // Decodes entries up to the table's end where no size is known (a segment
  // scan); a slot that is neither an entry nor the end throws ParseError.
  void (*scan_entries)(const ByteReader& bytes, VersionTable& out);
};

std::span<const TableFormat> table_formats();

// Null when no registered format has this magic and version.
const TableFormat* find_table_format(uint32_t magic, uint32_t version);
const TableFormat* find_table_format_by_section(std::string_view section);
bool is_table_magic(uint32_t magic);

// The format that reads a section's entries when no header states one (a
// module's): the newest of that section, whose slots are a superset of the
// older ones', so an older module reads the same.
const TableFormat& find_entries_format(const TableFormat& any_of_section);

}  // namespace lucompat
