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

}  // namespace
}  // namespace lucompat
