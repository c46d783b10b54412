#include "lucompat/base/byte_reader.h"

#include <fmt/format.h>

namespace lucompat {

void ByteReader::require(uint64_t off, uint64_t len, std::string_view field) const {
  if (contains(off, len)) return;
  fail(ErrorKind::malformed, base_ + off,
       fmt::format("expected {} ({} bytes), but the data ends at {:#x}", field, len,
                   base_ + data_.size()));
}

}  // namespace lucompat
