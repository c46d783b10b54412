#include "lucompat/base/text_fill.h"

#include <gtest/gtest.h>

namespace lucompat {
namespace {

TEST(FillWords, FillsAndNeverCutsAWord) {
  EXPECT_EQ(fill_words("a bb ccc dddd", 6), (std::vector<std::string>{"a bb", "ccc", "dddd"}));
  EXPECT_EQ(fill_words("/a/very/long/path x", 4),
            (std::vector<std::string>{"/a/very/long/path", "x"}));
  EXPECT_TRUE(fill_words("   ", 10).empty());
}

TEST(FitText, RefillsAParagraphBrokenByHand) {
  EXPECT_EQ(fit_text("one two\nthree four\n\nfive", 14), "one two three\nfour\n\nfive");
}

TEST(FitText, AnIndentedLineKeepsItsSpacingAndHangs) {
  EXPECT_EQ(fit_text("  4   undecided: inputs were read", 20),
            "  4   undecided:\n    inputs were read");
  EXPECT_EQ(fit_text("  lucompat check\n  --next x", 80), "  lucompat check\n  --next x");
}

TEST(FitText, AWordLongerThanTheWidthKeepsItsLine) {
  EXPECT_EQ(fit_text("  /a/very/long/path", 8), "  /a/very/long/path");
  EXPECT_EQ(fit_text("x /a/very/long/path", 8), "x\n/a/very/long/path");
}

TEST(FitLines, EachLineFitsAndContinuesAtItsValue) {
  const std::string banner =
      "  banner    Linux version 7.3.4 (corpus@debian-trixie) (gcc 12.2.0) #1 PREEMPT";
  EXPECT_EQ(fit_lines(banner + "\nshort\n", 40),
            "  banner    Linux version 7.3.4\n"
            "            (corpus@debian-trixie) (gcc\n"
            "            12.2.0) #1 PREEMPT\nshort\n");
  // No value column: the hang.
  EXPECT_EQ(fit_lines("  memfd: the running kernel writes memfd-v2", 24),
            "  memfd: the running\n      kernel writes\n      memfd-v2");
  // A word longer than the width keeps a line of its own, whole.
  EXPECT_EQ(fit_lines("current  /a/very/long/path/to/a/kernel x", 20),
            "current  /a/very/long/path/to/a/kernel\n         x");
}

TEST(FitLines, ColumnsNotBytes) {
  EXPECT_EQ(display_width("x86 bzImage \u25b8 xz"), 16u);
  EXPECT_EQ(display_width("\033[32mcompatible\033[0m"), 10u);
  const std::string chain = "k: x86 bzImage \u25b8 xz \u25b8 ELF64";
  EXPECT_EQ(fit_lines(chain, 27), chain);  // 27 columns, 31 bytes
}

}  // namespace
}  // namespace lucompat
