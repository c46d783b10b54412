// Format-1 entries: NUL-terminated strings zero-padded to 48-byte slots.
#pragma once

#include <cstdint>

#include "lucompat/base/byte_reader.h"
#include "lucompat/table/version_table.h"

namespace lucompat {

inline constexpr uint64_t kFixedSlotSize = 48;

void decode_fixed_slot_entries(const ByteReader& entries, VersionTable& out);
void scan_fixed_slot_entries(const ByteReader& bytes, VersionTable& out);

}  // namespace lucompat
