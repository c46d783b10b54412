// Finding a version table by its magic in bytes that have no section headers:
// the loaded segments of a stripped ELF, or a raw kernel Image.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "lucompat/base/byte_reader.h"
#include "lucompat/table/table_format.h"
#include "lucompat/table/table_location.h"

namespace lucompat {

struct ScanRegion {
  Bytes bytes;
  uint64_t offset = 0;   // input offset of bytes[0]
  uint64_t address = 0;  // load address of bytes[0], for the alignment preference
};

// The table in these regions, read in `order`; nullopt when no magic is there.
// Throws ParseError when the evidence is a table we must not ignore: a known
// magic with an unsupported version, two different tables, or (when the byte
// order is known) a table stored in the other one. With `order_known` false,
// a table in the other order is simply read in that order.
std::optional<LocatedTable> scan_for_table(const std::vector<ScanRegion>& regions, ByteOrder order,
                                           bool order_known = true,
                                           TableFormats formats = table_formats());

}  // namespace lucompat
