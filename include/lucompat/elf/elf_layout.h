// Which byte ranges of an ELF file the reader will touch, worked out from the
// ranges already at hand. Lets a streamed ELF be read after keeping only
// those ranges: header tables first, then the section names, then the
// sections the reader opens.
#pragma once

#include <cstdint>
#include <vector>

#include "lucompat/base/byte_range.h"
#include "lucompat/base/byte_reader.h"

namespace lucompat {

// The ranges read_elf needs that are not covered yet, as far as the covered
// ones let us see; empty once everything needed is at hand. `file` holds
// zeros where nothing is covered. Throws ParseError for a broken header.
std::vector<ByteRange> elf_ranges_missing(Bytes file, const Covered& covered);

}  // namespace lucompat
