#include "lucompat/base/byte_range.h"

#include <gtest/gtest.h>

namespace lucompat {
namespace {

std::vector<std::pair<uint64_t, uint64_t>> pairs(const std::vector<ByteRange>& v) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (const auto& r : v) out.emplace_back(r.offset, r.size);
  return out;
}

TEST(ClipToPresent, EmptyPresentMeansEverything) {
  EXPECT_EQ(pairs(clip_to_present({10, 20}, {})),
            (std::vector<std::pair<uint64_t, uint64_t>>{{10, 20}}));
}

TEST(ClipToPresent, KeepsOnlyTheOverlaps) {
  const std::vector<ByteRange> present{{0, 4}, {12, 4}, {25, 10}, {40, 5}};
  EXPECT_EQ(pairs(clip_to_present({2, 28}, present)),
            (std::vector<std::pair<uint64_t, uint64_t>>{{2, 2}, {12, 4}, {25, 5}}));
}

TEST(ClipToPresent, NothingPresentInRange) {
  EXPECT_TRUE(clip_to_present({5, 5}, {{0, 5}, {10, 5}}).empty());
}

}  // namespace
}  // namespace lucompat
