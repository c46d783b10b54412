#include <gtest/gtest.h>

#include <string>

#include "lucompat/identity/kernel_identity.h"

namespace lucompat {
namespace {

using namespace std::string_literals;

TEST(FindBanner, PrefersTheRealBannerOverTheWeakPlaceholder) {
  const std::string image =
      "\x7f"
      "ELF junk Linux version is not one\0"s
      "Linux version 6.1.192 (corpus@host) (gcc 12) # \n\0"s
      "padding Linux version 6.1.192 (corpus@host) (gcc 12) #4 Fri Nov 27 UTC 2026\n\0"s;
  const auto b = find_banner(as_bytes(image));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(*b, "Linux version 6.1.192 (corpus@host) (gcc 12) #4 Fri Nov 27 UTC 2026");
  EXPECT_EQ(release_of_banner(*b), "6.1.192");
}

// 7.x's placeholder has the build number and flags, but no timestamp: the
// running kernel's /proc/version is the real one (issue 22).
TEST(FindBanner, The7xPlaceholderEndsBeforeItsTimestamp) {
  const std::string image =
      "Linux version 7.3.4 (c@h) (gcc 12) #1 PREEMPT \n\0"s
      "Linux version 7.3.4 (c@h) (gcc 12) #1 PREEMPT Sat Dec  5 22:36:03 UTC 2026\n\0"s;
  EXPECT_EQ(find_banner(as_bytes(image)),
            "Linux version 7.3.4 (c@h) (gcc 12) #1 PREEMPT Sat Dec  5 22:36:03 UTC 2026");
}

TEST(FindBanner, PlaceholderAloneIsStillABanner) {
  const std::string image = "Linux version 6.1.0 (a@b) (gcc) # \n\0"s;
  EXPECT_EQ(find_banner(as_bytes(image)), "Linux version 6.1.0 (a@b) (gcc) # ");
}

TEST(FindBanner, RejectsLookAlikes) {
  EXPECT_FALSE(find_banner(as_bytes("Linux version 6.1 without newline\0"s)));
  EXPECT_FALSE(find_banner(as_bytes("Linux version  (x)\n\0"s)));
  EXPECT_FALSE(find_banner(as_bytes("Linux version 6.1 no-paren\n\0"s)));
  EXPECT_FALSE(find_banner(as_bytes("Linux version 6.1 (a\x01)\n\0"s)));
  EXPECT_FALSE(find_banner(as_bytes("Linux version 6.1 (unterminated)\n"s)));
  EXPECT_FALSE(find_banner(as_bytes(""s)));
}

TEST(ParseModinfo, NameAndVermagic) {
  const std::string s =
      "alias=platform:pcspkr\0license=GPL\0name=pcspkr\0"
      "vermagic=6.1.0-56-amd64 SMP preempt mod_unload modversions \0"s;
  const ModInfo m = parse_modinfo(as_bytes(s));
  EXPECT_EQ(m.name, "pcspkr");
  EXPECT_EQ(m.vermagic, "6.1.0-56-amd64 SMP preempt mod_unload modversions");
}

TEST(ParseModinfo, ToleratesMissingTerminatorAndKeys) {
  EXPECT_EQ(parse_modinfo(as_bytes("name=x"s)).name, "x");
  EXPECT_TRUE(parse_modinfo(as_bytes("\0\0"s)).vermagic.empty());
}

}  // namespace
}  // namespace lucompat
