#include "kallsyms/addresses.h"

#include <gtest/gtest.h>

namespace lucompat {
namespace {

constexpr uint64_t kBase = 0xffffffff81000000;

TEST(Addresses, Relative) {
  const auto a =
      relative_addresses({0, 16, 16, 0x70000000}, kBase, KallsymsAddressing::relative, 8);
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)[3], kBase + 0x70000000);
  EXPECT_EQ(choose_relative_mode({0, 16, 32}, kBase, 8, 0), KallsymsAddressing::relative);
}

TEST(Addresses, AbsolutePercpu) {
  // Two per-CPU symbols at small absolute values, then the kernel's text.
  const std::vector<int32_t> o{0, 0x1000, -1, -1 - 0x40};
  const auto a = relative_addresses(o, kBase, KallsymsAddressing::absolute_percpu, 8);
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, (std::vector<uint64_t>{0, 0x1000, kBase, kBase + 0x40}));
  EXPECT_EQ(choose_relative_mode(o, kBase, 8, 0), KallsymsAddressing::absolute_percpu);
  // Plain offsets never make a per-CPU table: no negative offset.
  EXPECT_FALSE(relative_addresses({0, 16}, kBase, KallsymsAddressing::absolute_percpu, 8));
}

TEST(Addresses, ThirtyTwoBitWraps) {
  const auto a = relative_addresses({0, 0x10}, 0xc0000000, KallsymsAddressing::relative, 4);
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)[1], 0xc0000010u);
}

TEST(Addresses, UnsortedIsAnError) {
  EXPECT_FALSE(relative_addresses({0, 32, 16}, kBase, KallsymsAddressing::relative, 8));
  EXPECT_THROW((void)choose_relative_mode({0, 32, 16}, kBase, 8, 0x40), ParseError);
}

}  // namespace
}  // namespace lucompat
