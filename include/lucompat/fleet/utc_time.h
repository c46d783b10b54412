// Instants in host reports: strict RFC 3339 UTC text, parsed without regular
// expressions (a backtracking matcher recursed once per digit of a
// 30,000-digit fraction and overflowed the stack) and compared as instants,
// never as text: "...:00.5Z" sorts before "...:00Z" but is later.
#pragma once

#include <compare>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace lucompat {

// Nanoseconds: what any clock a host reports from can resolve.
inline constexpr size_t kMaxFractionDigits = 9;

struct UtcTime {
  int64_t seconds = 0;  // since 1970-01-01T00:00:00Z
  uint32_t nanos = 0;

  friend auto operator<=>(const UtcTime&, const UtcTime&) = default;
};

// "YYYY-MM-DDTHH:MM:SS[.F]Z" with a real calendar date, a second of 0-59 and
// 1 to kMaxFractionDigits fraction digits; anything else is nullopt.
std::optional<UtcTime> parse_utc(std::string_view text);

UtcTime utc_from(std::time_t t);
UtcTime utc_clock_now();
UtcTime plus_seconds(UtcTime t, int64_t seconds);

// The shortest form parse_utc reads back: no fraction when it is zero.
std::string format_utc(UtcTime t);

}  // namespace lucompat
