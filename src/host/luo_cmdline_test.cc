#include "lucompat/host/luo_cmdline.h"

#include <gtest/gtest.h>

namespace lucompat {
namespace {

TEST(LuoCmdline, LiveupdateMustBeTurnedOn) {
  EXPECT_TRUE(luo_in_cmdline("console=ttyS0 liveupdate=on panic=-1").enabled);
  for (const char* on : {"liveupdate=1", "liveupdate=y", "liveupdate=Yes", "liveupdate=ON"})
    EXPECT_TRUE(luo_in_cmdline(on).enabled) << on;
  const LuoCmdline none = luo_in_cmdline("console=ttyS0 quiet");
  EXPECT_FALSE(none.enabled);
  EXPECT_EQ(none.why_not, "has no liveupdate=on");
  EXPECT_EQ(luo_in_cmdline("liveupdate=off").why_not, "has liveupdate=off");
  // A bare flag or a value kstrtobool refuses leaves the default, off.
  EXPECT_FALSE(luo_in_cmdline("liveupdate").enabled);
  EXPECT_FALSE(luo_in_cmdline("liveupdate=maybe").enabled);
  EXPECT_FALSE(luo_in_cmdline("").enabled);
}

TEST(LuoCmdline, TheLastOccurrenceWins) {
  EXPECT_FALSE(luo_in_cmdline("liveupdate=on liveupdate=0").enabled);
  EXPECT_TRUE(luo_in_cmdline("liveupdate=0 liveupdate=on").enabled);
  // A refused value does not undo an earlier one.
  EXPECT_TRUE(luo_in_cmdline("liveupdate=on liveupdate=huh").enabled);
}

TEST(LuoCmdline, KhoOffTurnsLuoOff) {
  const LuoCmdline c = luo_in_cmdline("liveupdate=on kho=off");
  EXPECT_FALSE(c.enabled);
  EXPECT_EQ(c.why_not, "has kho=off (LUO needs KHO)");
  EXPECT_TRUE(luo_in_cmdline("kho=off liveupdate=on kho=on").enabled);
}

TEST(LuoCmdline, WordsAreTheKernelsWords) {
  // Init's arguments after "--" are not the kernel's; quotes keep spaces.
  EXPECT_FALSE(luo_in_cmdline("quiet -- liveupdate=on").enabled);
  EXPECT_FALSE(luo_in_cmdline("x=\"a liveupdate=on\"").enabled);
  EXPECT_TRUE(luo_in_cmdline("x=\"a b\"\tliveupdate=on\n").enabled);
  EXPECT_FALSE(luo_in_cmdline("noliveupdate=on").enabled);
}

}  // namespace
}  // namespace lucompat
