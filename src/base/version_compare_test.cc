#include "lucompat/base/version_compare.h"

#include <gtest/gtest.h>

namespace lucompat {
namespace {

int cmp(const char* a, const char* b) { return compare_versions(a, b); }

// Examples of the UAPI Group's Version Format Specification.
TEST(CompareVersions, AsTheUapiSpecificationOrdersThem) {
  EXPECT_LT(cmp("11", "102"), 0);
  EXPECT_LT(cmp("6.12.9", "6.12.10"), 0);
  EXPECT_LT(cmp("7.3~rc1", "7.3"), 0);
  EXPECT_LT(cmp("7.3~rc1", "7.3~rc2"), 0);
  EXPECT_LT(cmp("123-9", "123.1-1"), 0);
  EXPECT_LT(cmp("1.0", "1.0^1"), 0);
  EXPECT_LT(cmp("1.0^1", "1.0.1"), 0);
  EXPECT_LT(cmp("a", "b"), 0);
  EXPECT_LT(cmp("abc", "abcd"), 0);
  EXPECT_LT(cmp("a", "1"), 0);  // a number is newer than letters
  EXPECT_LT(cmp("7.3", "7.3.1"), 0);
  EXPECT_EQ(cmp("00123", "123"), 0);
  EXPECT_EQ(cmp("6.1_2", "6.1 2"), 0);  // ignored characters only separate
  EXPECT_GT(cmp("7.3.4+deb13-amd64", "7.3.4"), 0);
  EXPECT_LT(cmp("", "1"), 0);
  EXPECT_EQ(cmp("", ""), 0);
}

}  // namespace
}  // namespace lucompat
