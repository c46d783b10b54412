#include "lucompat/base/printable.h"

#include <fmt/format.h>

#include <algorithm>

namespace lucompat {
namespace {

// The length of the valid UTF-8 sequence at s[i] (1 for ASCII), or 0 for a
// byte that starts none: an overlong form, a surrogate, a code point past
// U+10FFFF, a cut or a stray continuation.
size_t sequence_length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xc0) == 0x80; };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf && cont(1)) return 2;
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

// C0 controls, DEL, and C1 controls (U+0080..U+009F, which some terminals
// obey like ESC), given the sequence at s[i] is `n` bytes long.
bool is_control(std::string_view s, size_t i, size_t n) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (n == 1) return c < 0x20 || c == 0x7f;
  return n == 2 && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0;
}

// printable()'s escapes; controls stay as they are when a writer that
// escapes them itself (JSON's) comes next.
std::string escaped(std::string_view text, bool keep_controls) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t n = sequence_length(text, i);
    if (c == '\\') {
      // "\x" or "\n" in the input must not read as an escape we made.
      if (i + 1 < text.size() && std::string_view("xnt\\").find(text[i + 1]) != std::string::npos)
        out += '\\';
      out += '\\';
      ++i;
    } else if (n != 0 && (keep_controls || !is_control(text, i, n))) {
      out.append(text.substr(i, n));
      i += n;
    } else if (c == '\n') {
      out += "\\n";
      ++i;
    } else if (c == '\t') {
      out += "\\t";
      ++i;
    } else {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string printable(std::string_view text) { return escaped(text, false); }

bool utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool has_control(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = std::max<size_t>(sequence_length(text, i), 1);
    if (is_control(text, i, n)) return true;
    i += n;
  }
  return false;
}

std::string json_text(std::string_view text) {
  return utf8(text) ? std::string(text) : escaped(text, true);
}

}  // namespace lucompat
