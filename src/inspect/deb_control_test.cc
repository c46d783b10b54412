#include "lucompat/inspect/deb_control.h"

#include <gtest/gtest.h>

namespace lucompat {
namespace {

TEST(DebControl, ReadsPackageAndDependsWithContinuations) {
  const DebControl c = parse_deb_control(
      "Package: linux-image-amd64\nSource: linux-signed-amd64\nDepends: "
      "linux-image-6.1.0-56-amd64 (= 6.1.140-1),\n  firmware-linux-free\nDescription: x\n");
  EXPECT_EQ(c.package, "linux-image-amd64");
  EXPECT_EQ(c.depends, "linux-image-6.1.0-56-amd64 (= 6.1.140-1), firmware-linux-free");
  EXPECT_EQ(kernel_dependency(c), "linux-image-6.1.0-56-amd64");
}

TEST(DebControl, NamesEveryDependencyWhenNoneIsAKernel) {
  EXPECT_EQ(kernel_dependency(parse_deb_control("Package: x\nDepends: a (>= 1) | b, c:any\n")),
            "a, b, c");
  EXPECT_EQ(kernel_dependency(parse_deb_control("Package: x\n")), "");
  EXPECT_EQ(kernel_dependency(parse_deb_control("Depends: linux-binary-7.3.4+deb13-amd64\n")),
            "linux-binary-7.3.4+deb13-amd64");
}

TEST(DebControl, StopsAtTheFirstParagraphAndIgnoresJunk) {
  const DebControl c = parse_deb_control(" orphan\nno colon\nPackage: a\n\nPackage: b\n");
  EXPECT_EQ(c.package, "a");
  EXPECT_EQ(parse_deb_control("").package, "");
}

}  // namespace
}  // namespace lucompat
