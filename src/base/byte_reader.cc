#include "lucompat/base/byte_reader.h"

#include <fmt/format.h>

namespace lucompat {

void ByteReader::require(uint64_t off, uint64_t len, std::string_view field) const {
  if (contains(off, len)) return;
  const uint64_t end = base_ + data_.size();
  // A field wholly past the end (an offset read from a header) is reported
  // where the data ends, with the offset it was expected at: an error's
  // offset always names a byte of the input, or its end.
  if (off > data_.size())
    fail(ErrorKind::malformed, end,
         fmt::format("expected {} ({} bytes) at {:#x}, but the data ends at {:#x}", field, len,
                     base_ + off, end));
  fail(ErrorKind::malformed, base_ + off,
       fmt::format("expected {} ({} bytes), but the data ends at {:#x}", field, len, end));
}

void fail_beyond_end(uint64_t start, uint64_t input_size, uint64_t claimed_by,
                     std::string message) {
  if (start <= input_size) fail(ErrorKind::malformed, start, std::move(message));
  fail(ErrorKind::malformed, claimed_by, fmt::format("{}, from {:#x}", message, start));
}

}  // namespace lucompat
