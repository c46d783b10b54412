#include "lucompat/derive/core_strings.h"

#include <algorithm>
#include <string_view>

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

}  // namespace

std::vector<FoundString> find_core_strings(Bytes bytes, uint64_t offset,
                                           std::span<const CompatibleForm> forms) {
  const std::string_view text = as_chars(bytes);
  std::vector<FoundString> out;
  for (const CompatibleForm& f : forms) {
    if (f.prefix.empty()) continue;  // every string would be a candidate
    for (size_t at = text.find(f.prefix); at != std::string_view::npos;
         at = text.find(f.prefix, at + 1)) {
      if (at != 0 && text[at - 1] != '\0') continue;  // the tail of a longer string
      const size_t end = text.find('\0', at);
      if (end == std::string_view::npos) break;  // unterminated: not a C string literal
      const std::string_view s = text.substr(at, end - at);
      if (!is_form(s, f)) continue;
      if (std::none_of(out.begin(), out.end(), [&](const FoundString& x) { return x.text == s; }))
        out.push_back({std::string(s), offset + at, f.kind});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const FoundString& a, const FoundString& b) { return a.offset < b.offset; });
  return out;
}

}  // namespace lucompat
