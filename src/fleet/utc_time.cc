#include "lucompat/fleet/utc_time.h"

#include <fmt/format.h>

#include <chrono>
#include <limits>

namespace lucompat {
namespace {

// The digits of text[at, at + n) as a number, or -1 if any is not a digit.
int digits(std::string_view text, size_t at, size_t n) {
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil), exact for every four-digit year.
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool separators_ok(std::string_view t) {
  return t[4] == '-' && t[7] == '-' && t[10] == 'T' && t[13] == ':' && t[16] == ':' &&
         t.back() == 'Z';
}

// ".F" between the seconds and the final Z, as nanoseconds.
std::optional<uint32_t> fraction(std::string_view t) {
  const std::string_view f = t.substr(19, t.size() - 20);
  if (f.empty()) return 0u;
  if (f[0] != '.' || f.size() < 2 || f.size() - 1 > kMaxFractionDigits) return std::nullopt;
  const int v = digits(f, 1, f.size() - 1);
  if (v < 0) return std::nullopt;
  uint32_t nanos = static_cast<uint32_t>(v);
  for (size_t n = f.size() - 1; n < kMaxFractionDigits; ++n) nanos *= 10;
  return nanos;
}

}  // namespace

std::optional<UtcTime> parse_utc(std::string_view t) {
  if (t.size() < 20 || t.size() > 21 + kMaxFractionDigits || !separators_ok(t)) return std::nullopt;
  const int y = digits(t, 0, 4), mo = digits(t, 5, 2), d = digits(t, 8, 2);
  const int h = digits(t, 11, 2), mi = digits(t, 14, 2), s = digits(t, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return std::nullopt;
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return std::nullopt;
  const auto nanos = fraction(t);
  if (!nanos) return std::nullopt;
  return UtcTime{days_from_civil(y, mo, d) * 86400 + int64_t{h} * 3600 + int64_t{mi} * 60 + s,
                 *nanos};
}

UtcTime utc_from(std::time_t t) { return UtcTime{static_cast<int64_t>(t), 0}; }

UtcTime utc_clock_now() {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return UtcTime{ns / 1'000'000'000, static_cast<uint32_t>(ns % 1'000'000'000)};
}

UtcTime plus_seconds(UtcTime t, int64_t seconds) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max(),
                    kMin = std::numeric_limits<int64_t>::min();
  if (seconds > 0 && t.seconds > kMax - seconds)
    t.seconds = kMax;
  else if (seconds < 0 && t.seconds < kMin - seconds)
    t.seconds = kMin;
  else
    t.seconds += seconds;
  return t;
}

std::string format_utc(UtcTime t) {
  std::tm tm{};
  const std::time_t s = static_cast<std::time_t>(t.seconds);
  gmtime_r(&s, &tm);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (t.nanos != 0) {
    std::string f = fmt::format("{:09}", t.nanos);
    f.erase(f.find_last_not_of('0') + 1);
    out += "." + f;
  }
  return out + "Z";
}

}  // namespace lucompat
