#include "lucompat/inspect/package.h"

#include <gtest/gtest.h>

namespace lucompat {
namespace {

TEST(PackageBudget, GrowsWithThePackageUnlessChosen) {
  InspectOptions options;
  // Debian's 7.3.4 cloud -dbg: 353 MB holding 2.06 GB.
  EXPECT_EQ(package_budget(options, 353'387'656), 353'387'656 * kPackageOutputRatio);
  EXPECT_EQ(package_budget(options, 14'138'336), kDefaultMaxOutput);
  EXPECT_EQ(package_budget(options, UINT64_MAX / 2), UINT64_MAX);
  options.unwrap.max_output = 256 << 20;
  options.max_output_given = true;
  EXPECT_EQ(package_budget(options, 353'387'656), uint64_t{256} << 20);
}

}  // namespace
}  // namespace lucompat
