#include "lucompat/fleet/utc_time.h"

#include <gtest/gtest.h>

#include <string>

namespace lucompat {
namespace {

TEST(UtcTime, ReadsWholeSecondsAndFractions) {
  EXPECT_EQ(parse_utc("1970-01-01T00:00:00Z"), (UtcTime{0, 0}));
  EXPECT_EQ(parse_utc("2026-11-27T05:33:00Z"), (UtcTime{1795757580, 0}));
  EXPECT_EQ(parse_utc("2026-11-27T05:33:00.5Z"), (UtcTime{1795757580, 500000000}));
  EXPECT_EQ(parse_utc("2026-11-27T05:33:00.000000001Z"), (UtcTime{1795757580, 1}));
  EXPECT_EQ(parse_utc("1969-12-31T23:59:59Z"), (UtcTime{-1, 0}));
}

TEST(UtcTime, ComparesInstantsNotText) {
  const auto whole = parse_utc("2026-11-27T00:00:00Z"), half = parse_utc("2026-11-27T00:00:00.5Z");
  ASSERT_TRUE(whole && half);
  EXPECT_LT(std::string("2026-11-27T00:00:00.5Z"),
            std::string("2026-11-27T00:00:00Z"));  // the trap
  EXPECT_GT(*half, *whole);
  EXPECT_EQ(parse_utc("2026-11-27T00:00:00.50Z"), half);
}

TEST(UtcTime, RefusesDatesNoCalendarHas) {
  EXPECT_FALSE(parse_utc("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_utc("2026-02-29T00:00:00Z"));
  EXPECT_TRUE(parse_utc("2024-02-29T00:00:00Z"));
  EXPECT_TRUE(parse_utc("2000-02-29T00:00:00Z"));   // divisible by 400
  EXPECT_FALSE(parse_utc("1900-02-29T00:00:00Z"));  // by 100, not 400
  EXPECT_FALSE(parse_utc("2026-04-31T00:00:00Z"));
  EXPECT_FALSE(parse_utc("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_utc("2026-00-01T00:00:00Z"));
  EXPECT_FALSE(parse_utc("2026-01-00T00:00:00Z"));
  EXPECT_FALSE(parse_utc("2026-01-01T24:00:00Z"));
  EXPECT_FALSE(parse_utc("2026-01-01T00:60:00Z"));
  EXPECT_FALSE(parse_utc("2026-01-01T00:00:60Z"));
}

TEST(UtcTime, RefusesEverythingButTheOneForm) {
  for (const char* t :
       {"", "yesterday", "2026-11-27 00:00:00Z", "2026-11-27T00:00:00", "2026-11-27T00:00:00+00:00",
        "2026-11-27t00:00:00z", "2026-11-27T00:00:00.Z", "2026-11-27T00:00:00,5Z",
        "+2026-11-27T00:00:00Z", "2026-1-27T00:00:00Z", "2026-11-27T00:00:0aZ",
        "2026-11-27T00:00:00.1aZ", "2026-11-27T00:00:00ZZ", "2026-11-27T00:00:00.-1Z"})
    EXPECT_FALSE(parse_utc(t)) << t;
}

TEST(UtcTime, BoundsTheFraction) {
  EXPECT_TRUE(parse_utc("2026-11-27T00:00:00." + std::string(kMaxFractionDigits, '9') + "Z"));
  EXPECT_FALSE(parse_utc("2026-11-27T00:00:00." + std::string(kMaxFractionDigits + 1, '9') + "Z"));
  EXPECT_FALSE(parse_utc("2026-11-27T00:00:00." + std::string(30000, '1') + "Z"));
}

TEST(UtcTime, FormatsWhatItReads) {
  for (const char* t :
       {"2026-11-27T05:33:00Z", "2026-11-27T05:33:00.5Z", "0001-01-01T00:00:00.000000001Z",
        "9999-12-31T23:59:59Z", "2024-02-29T12:00:00Z"}) {
    const auto parsed = parse_utc(t);
    ASSERT_TRUE(parsed) << t;
    EXPECT_EQ(format_utc(*parsed), t);
  }
}

TEST(UtcTime, AddsWithoutOverflow) {
  EXPECT_EQ(plus_seconds(UtcTime{10, 5}, -20), (UtcTime{-10, 5}));
  EXPECT_EQ(plus_seconds(UtcTime{INT64_MAX - 1, 0}, 10).seconds, INT64_MAX);
  EXPECT_EQ(plus_seconds(UtcTime{INT64_MIN + 1, 0}, -10).seconds, INT64_MIN);
}

}  // namespace
}  // namespace lucompat
