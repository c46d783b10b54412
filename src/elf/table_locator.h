// Finding the version table in an ELF file: by section name in any of the three
// shapes a build leaves, or, without section headers, by its magic inside the
// loaded segments.
#pragma once

#include <optional>

#include "elf/libelf_file.h"
#include "lucompat/base/byte_range.h"
#include "lucompat/base/result.h"
#include "lucompat/table/table_location.h"

namespace lucompat {

// An Error when a table is there but broken. A scan searches only the
// `present` parts of the file (empty: all of it).
Result<std::optional<LocatedTable>> locate_table(const LibelfFile& elf, Bytes file,
                                                 const std::vector<ByteRange>& present);

}  // namespace lucompat
