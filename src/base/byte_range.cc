#include "lucompat/base/byte_range.h"

#include <algorithm>

namespace lucompat {

std::vector<ByteRange> clip_to_present(ByteRange range, const std::vector<ByteRange>& present) {
  if (present.empty()) return {range};
  std::vector<ByteRange> out;
  for (const ByteRange& p : present) {
    const uint64_t begin = std::max(range.offset, p.offset);
    const uint64_t end = std::min(range.end(), p.end());
    if (begin < end) out.push_back({begin, end - begin});
  }
  return out;
}

}  // namespace lucompat
