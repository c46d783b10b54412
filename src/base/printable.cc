#include "lucompat/base/printable.h"

#include <fmt/format.h>

namespace lucompat {
namespace {

// The length of the valid UTF-8 sequence at s[i] that is not a C1 control
// (U+0080..U+009F, which some terminals obey like ESC), or 0.
size_t utf8_length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xc0) == 0x80; };
  const unsigned char c = b(0);
  if (c >= 0xc2 && c <= 0xdf && cont(1)) return c == 0xc2 && b(1) < 0xa0 ? 0 : 2;
  if (c >= 0xe0 && c <= 0xef && cont(1) && cont(2)) {
    if ((c == 0xe0 && b(1) < 0xa0) || (c == 0xed && b(1) >= 0xa0)) return 0;  // overlong, surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4 && cont(1) && cont(2) && cont(3)) {
    if ((c == 0xf0 && b(1) < 0x90) || (c == 0xf4 && b(1) >= 0x90)) return 0;
    return 4;
  }
  return 0;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      // "\x" or "\n" in the input must not read as an escape we made.
      if (c == '\\' && i + 1 < text.size() &&
          (text[i + 1] == 'x' || text[i + 1] == 'n' || text[i + 1] == 't' || text[i + 1] == '\\'))
        out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c == '\n') {
      out += "\\n";
      ++i;
    } else if (c == '\t') {
      out += "\\t";
      ++i;
    } else if (const size_t n = c >= 0x80 ? utf8_length(text, i) : 0; n != 0) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    }
  }
  return out;
}

}  // namespace lucompat
