// The registry of table formats lucompat can decode: the only place a
// format's magic, header and slot sizes are stated. A later format (a format
// version 3, a .liveupdate_features section) is one more row with its own
// entry decoder, not a change to the callers: the section locator, the magic
// scan, the marker scan, the stream capture, the embedded-payload probe and
// the raw reader all derive what they look for from the rows.
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

  // The most bytes a table of this format can take (kMaxTableEntries entries).
  uint64_t max_size() const { return header_size + uint64_t{entry_size} * kMaxTableEntries; }
};

// A registry: the built-in one, or a test's with a format of its own.
using TableFormats = std::span<const TableFormat>;

TableFormats table_formats();

// The magic every row shares, which the marker scan looks for in every byte
// (a second magic would need a second pair of bytes in its filter; the
// built-in rows are checked to share one at compile time).
uint32_t table_magic();

// The most bytes any registered table can take after its magic.
uint64_t max_table_size(TableFormats formats = table_formats());

// Null when no registered format has this magic and version.
const TableFormat* find_table_format(uint32_t magic, uint32_t version,
                                     TableFormats formats = table_formats());
const TableFormat* find_table_format_by_section(std::string_view section,
                                                TableFormats formats = table_formats());
bool is_table_magic(uint32_t magic, TableFormats formats = table_formats());

// The format that reads a section's entries when no header states one (a
// module's): the newest of that section, whose slots are a superset of the
// older ones', so an older module reads the same.
const TableFormat& find_entries_format(const TableFormat& any_of_section,
                                       TableFormats formats = table_formats());

}  // namespace lucompat
