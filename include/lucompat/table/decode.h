// Pure decoders from bytes (in a given byte order) to a VersionTable. Offsets
// in errors and entries are input offsets: the bytes start at `offset`.
#pragma once

#include <cstdint>

#include "lucompat/base/byte_reader.h"
#include "lucompat/base/result.h"
#include "lucompat/table/table_format.h"
#include "lucompat/table/version_table.h"

namespace lucompat {

// Checks the magic (including a byte-swapped one) and the format version.
Result<const TableFormat*> decode_table_header(Bytes bytes, ByteOrder order, uint64_t offset = 0,
                                               TableFormats formats = table_formats());

// A whole table: header followed by entries (a linked vmlinux).
Result<VersionTable> decode_table(Bytes bytes, ByteOrder order, uint64_t offset = 0,
                                  TableFormats formats = table_formats());

// Entries without a header (a relocatable object or module).
Result<VersionTable> decode_table_entries(const TableFormat& format, Bytes bytes, ByteOrder order,
                                          uint64_t offset = 0);

// A header at the start of `bytes`, then entries up to the first all-zero slot
// or the end of `bytes`; any other slot that is not an entry is an error.
Result<VersionTable> scan_table(Bytes bytes, ByteOrder order, uint64_t offset = 0,
                                TableFormats formats = table_formats());

}  // namespace lucompat
