// Errors of the kallsyms readers that a search calls at many candidate
// places: returned, not thrown, since most candidates are no table.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "lucompat/base/byte_reader.h"
#include "lucompat/base/error.h"

namespace lucompat {

inline Error problem(ErrorKind kind, uint64_t offset, std::string message) {
  return Error{kind, {}, offset, std::move(message), {}};
}

inline Error truncated(const ByteReader& image, uint64_t at, std::string_view field) {
  return problem(
      ErrorKind::malformed, std::min(at, image.size()),
      fmt::format("expected {} at {:#x}, but the data ends at {:#x}", field, at, image.size()));
}

}  // namespace lucompat
