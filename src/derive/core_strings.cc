#include "lucompat/derive/core_strings.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

namespace lucompat {
namespace {

// "PREFIX" + digits + "SUFFIX", the whole of `s`.
bool is_form(std::string_view s, const CompatibleForm& f) {
  if (!s.starts_with(f.prefix) || !s.ends_with(f.suffix)) return false;
  if (s.size() <= f.prefix.size() + f.suffix.size()) return false;
  const std::string_view digits =
      s.substr(f.prefix.size(), s.size() - f.prefix.size() - f.suffix.size());
  return std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Where in `prefix` to anchor the search: its last punctuation byte, else
// its first byte. Punctuation is rarer than letters in a kernel's read-only
// data: Debian's 7.3.4 .rodata (8.7 MB) holds 23,665 '-' and 100,821 'l', and
// each place the anchor byte occurs is a stop. The forms that share an
// anchor byte are looked for in one pass.
size_t anchor_of(std::string_view prefix) {
  for (size_t i = prefix.size(); i-- > 0;) {
    const auto c = static_cast<unsigned char>(prefix[i]);
    if (std::ispunct(c) != 0 && c != '_' && c != '%' && c != '.') return i;
  }
  return 0;
}

struct Match {
  uint64_t at;
  size_t form;
  std::string_view text;
};

// The whole string of form `f` whose prefix starts at `at`, if there is one.
std::optional<std::string_view> string_at(std::string_view text, size_t at,
                                          const CompatibleForm& f) {
  if (text.compare(at, f.prefix.size(), f.prefix) != 0) return std::nullopt;
  if (at != 0 && text[at - 1] != '\0') return std::nullopt;  // the tail of a longer string
  const size_t end = text.find('\0', at);
  if (end == std::string_view::npos) return std::nullopt;  // unterminated: not a C string
  const std::string_view s = text.substr(at, end - at);
  if (!is_form(s, f)) return std::nullopt;
  return s;
}

}  // namespace

std::vector<FoundString> find_core_strings(Bytes bytes, uint64_t offset,
                                           std::span<const CompatibleForm> forms) {
  const std::string_view text = as_chars(bytes);
  std::vector<Match> matches;
  std::vector<bool> searched(forms.size());
  for (size_t i = 0; i < forms.size(); ++i) {
    if (searched[i] || forms[i].prefix.empty()) continue;  // empty: every string would do
    const char anchor = forms[i].prefix[anchor_of(forms[i].prefix)];
    std::vector<std::pair<size_t, size_t>> group;  // form, where its anchor byte is
    for (size_t j = i; j < forms.size(); ++j) {
      if (forms[j].prefix.empty() || searched[j]) continue;
      const size_t a = anchor_of(forms[j].prefix);
      if (forms[j].prefix[a] != anchor) continue;
      group.emplace_back(j, a);
      searched[j] = true;
    }
    for (size_t at = text.find(anchor); at != std::string_view::npos;
         at = text.find(anchor, at + 1))
      for (const auto& [form, a] : group)
        if (at >= a)
          if (const auto s = string_at(text, at - a, forms[form]))
            matches.push_back({at - a, form, *s});
  }
  std::sort(matches.begin(), matches.end(), [](const Match& x, const Match& y) {
    return std::tie(x.at, x.form) < std::tie(y.at, y.form);
  });
  std::vector<FoundString> out;
  for (const Match& m : matches)
    if (std::none_of(out.begin(), out.end(),
                     [&](const FoundString& x) { return x.text == m.text; }))
      out.push_back({std::string(m.text), offset + m.at, forms[m.form].kind});
  return out;
}

}  // namespace lucompat
