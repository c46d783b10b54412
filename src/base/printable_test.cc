#include "lucompat/base/printable.h"

#include <gtest/gtest.h>

namespace lucompat {
namespace {

TEST(Printable, PlainAndUtf8TextIsKept) {
  EXPECT_EQ(printable("memfd-v1 /boot/vmlinuz-6.1 é ▸ 🐧"), "memfd-v1 /boot/vmlinuz-6.1 é ▸ 🐧");
}

TEST(Printable, ControlsNewlinesAndEscapesBecomeVisible) {
  EXPECT_EQ(printable("host\nlucompat: forged"), "host\\nlucompat: forged");
  EXPECT_EQ(printable("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
  EXPECT_EQ(printable(std::string_view("a\0b\rc\x7f", 6)), "a\\x00b\\x0dc\\x7f");
  EXPECT_EQ(printable("\xc2\x9b"
                      "2J"),
            "\\xc2\\x9b2J");  // C1 CSI
  EXPECT_EQ(printable("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(printable("\xe0\x80\x80"), "\\xe0\\x80\\x80");  // overlong
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
}

TEST(Printable, ABackslashThatLooksLikeAnEscapeIsDoubled) {
  EXPECT_EQ(printable("C:\\x41"), "C:\\\\x41");
  EXPECT_EQ(printable("a\\b"), "a\\b");
  EXPECT_EQ(printable("a\\"), "a\\");
  EXPECT_EQ(printable("\\\\"), "\\\\\\");
}

TEST(HasControl, FindsC0DelAndC1ButNotText) {
  EXPECT_FALSE(has_control("memfd-v1 é ▸ C:\\x41"));
  EXPECT_TRUE(has_control("a\nb"));
  EXPECT_TRUE(has_control("tab\there"));
  EXPECT_TRUE(has_control("\x1b[31m"));
  EXPECT_TRUE(has_control("del\x7f"));
  EXPECT_TRUE(has_control("\xc2\x9b"));   // C1 CSI
  EXPECT_FALSE(has_control("\xc2\xa0"));  // NO-BREAK SPACE
  EXPECT_FALSE(has_control("\xff\xfe"));  // not UTF-8, but no control
}

}  // namespace
}  // namespace lucompat
