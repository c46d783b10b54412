#include "lucompat/base/version_compare.h"

#include <algorithm>
#include <cstring>

namespace lucompat {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Characters other than these separate segments and are otherwise ignored.
bool counts(char c) { return is_digit(c) || is_alpha(c) || std::strchr("~-^.", c) != nullptr; }

int sign(int v) { return (v > 0) - (v < 0); }

// The run of `a` from its start whose characters satisfy `pred`.
template <typename Pred>
std::string_view run(std::string_view s, Pred pred) {
  size_t n = 0;
  while (n < s.size() && pred(s[n])) ++n;
  return s.substr(0, n);
}

// A separator: the string that has it where the other does not is the older
// one ("~" marks a pre-release, "-" a release, "^" a patch, "." a part).
bool separator(std::string_view& a, std::string_view& b, char c, int& result) {
  const bool in_a = !a.empty() && a.front() == c, in_b = !b.empty() && b.front() == c;
  if (!in_a && !in_b) return false;
  if (in_a != in_b) {
    result = in_a ? -1 : 1;
    return true;
  }
  a.remove_prefix(1);
  b.remove_prefix(1);
  return false;
}

}  // namespace

int compare_versions(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty())
    return sign(static_cast<int>(!a.empty()) - static_cast<int>(!b.empty()));
  for (;;) {
    while (!a.empty() && !counts(a.front())) a.remove_prefix(1);
    while (!b.empty() && !counts(b.front())) b.remove_prefix(1);
    int r = 0;
    if (separator(a, b, '~', r)) return r;
    // One string at its end: the other, longer, is newer.
    if (a.empty() || b.empty())
      return sign(static_cast<int>(!a.empty()) - static_cast<int>(!b.empty()));
    for (const char c : {'-', '^', '.'})
      if (separator(a, b, c, r)) return r;
    if (is_digit(a.empty() ? 'x' : a.front()) || is_digit(b.empty() ? 'x' : b.front())) {
      std::string_view da = run(a, is_digit), db = run(b, is_digit);
      // A number is newer than no number.
      if (da.empty() != db.empty()) return da.empty() ? -1 : 1;
      a.remove_prefix(da.size());
      b.remove_prefix(db.size());
      while (da.size() > 1 && da.front() == '0') da.remove_prefix(1);
      while (db.size() > 1 && db.front() == '0') db.remove_prefix(1);
      if (da.size() != db.size()) return da.size() < db.size() ? -1 : 1;
      if (const int c = da.compare(db); c != 0) return sign(c);
    } else {
      const std::string_view wa = run(a, is_alpha), wb = run(b, is_alpha);
      a.remove_prefix(wa.size());
      b.remove_prefix(wb.size());
      const int c = wa.substr(0, std::min(wa.size(), wb.size()))
                        .compare(wb.substr(0, std::min(wa.size(), wb.size())));
      if (c != 0) return sign(c);
      if (wa.size() != wb.size()) return wa.size() < wb.size() ? -1 : 1;
    }
  }
}

}  // namespace lucompat
