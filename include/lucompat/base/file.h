// Reading an input file whole, with errors that say what the path is instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lucompat/base/result.h"

namespace lucompat {

inline constexpr uint64_t kDefaultMaxFileSize = uint64_t{4} << 30;

Result<std::vector<std::byte>> read_file(const std::string& path,
                                         uint64_t max_size = kDefaultMaxFileSize);

}  // namespace lucompat
