// Entries in 48-byte slots. Format 1: NUL-terminated strings zero-padded to
// the slot (a string may be a composite, "memfd-v2;vmalloc-v1"). Format 2
// adds integer-version slots (a name and a u32), read as "NAME@N".
#pragma once

#include <cstdint>

#include "lucompat/base/byte_reader.h"
#include "lucompat/table/version_table.h"

namespace lucompat {

inline constexpr uint64_t kFixedSlotSize = 48;

void decode_string_slots(const ByteReader& entries, VersionTable& out);
void scan_string_slots(const ByteReader& bytes, VersionTable& out);
void decode_versioned_slots(const ByteReader& entries, VersionTable& out);
void scan_versioned_slots(const ByteReader& bytes, VersionTable& out);

}  // namespace lucompat
