#include "kallsyms/token_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

#include "kallsyms/problem.h"
#include "kallsyms/table_layout.h"

namespace lucompat {
namespace {

constexpr uint64_t kIndexBytes = uint64_t{256} * 2;
// A token is a piece of a name, at most KSYM_NAME_LEN (512) long.
constexpr uint64_t kMaxToken = 512;

// Why a token at index `i` cannot be what scripts/kallsyms.c wrote, or empty.
std::string token_problem(int i, std::string_view t) {
  if (!std::all_of(t.begin(), t.end(), name_char))
    return fmt::format("token {} holds a non-printable byte", i);
  if (t.size() == 1 && static_cast<unsigned char>(t[0]) != i)
    return fmt::format("token {} is the single character '{}', which belongs at index {}", i, t,
                       static_cast<int>(static_cast<unsigned char>(t[0])));
  return {};
}

}  // namespace

Result<TokenTable> token_table_at(const ByteReader& image, uint64_t table, uint64_t index) {
  TokenTable out;
  out.table = table;
  out.index = index;
  if (!image.contains(index, kIndexBytes)) return truncated(image, index, "kallsyms_token_index");
  std::array<uint64_t, 256> idx{};
  for (size_t i = 0; i < 256; ++i) idx[i] = image.u16(index + 2 * i, "kallsyms_token_index entry");
  if (index < table)
    return problem(ErrorKind::malformed, index,
                   "kallsyms_token_index lies before kallsyms_token_table");
  const uint64_t room = index - table;  // the token table cannot run into its index
  if (idx[0] != 0)
    return problem(
        ErrorKind::malformed, index,
        fmt::format("kallsyms_token_index[0] is {}; expected 0 (the first token)", idx[0]));
  // The whole index first: an entry out of range is named as such, not as
  // an overlong token before it.
  for (size_t i = 0; i < 256; ++i) {
    if (i > 0 && idx[i] <= idx[i - 1])
      return problem(ErrorKind::malformed, index + 2 * i,
                     fmt::format("kallsyms_token_index[{}] is {}, not above the previous {}", i,
                                 idx[i], idx[i - 1]));
    if (idx[i] >= room)
      return problem(ErrorKind::malformed, index + 2 * i,
                     fmt::format("kallsyms_token_index[{}] is {}, outside the {}-byte token table",
                                 i, idx[i], room));
  }
  // Every token now lies in [table, index), which the index's own check
  // above put inside the image.
  for (int i = 0; i < 256; ++i) {
    // The last token runs to its NUL; the others end right before the next.
    const uint64_t limit = i < 255 ? idx[i + 1] - idx[i] : std::min(room - idx[i], kMaxToken + 1);
    const Bytes span = image.bytes(table + idx[i], limit, "kallsyms_token_table entry");
    const std::string_view s = as_chars(span);
    const size_t nul = s.find('\0');
    if (nul == std::string_view::npos || (i < 255 && nul != s.size() - 1))
      return problem(ErrorKind::malformed, table + idx[i],
                     nul == std::string_view::npos
                         ? fmt::format("token {} has no NUL within {} bytes", i, limit)
                         : fmt::format("token {} ends after {} bytes, but the index puts the next "
                                       "token {} bytes on",
                                       i, nul, limit));
    std::string why = token_problem(i, s.substr(0, nul));
    if (!why.empty()) return problem(ErrorKind::malformed, table + idx[i], std::move(why));
    out.tokens[i] = std::string(s.substr(0, nul));
  }
  const uint64_t end = table + idx[255] + out.tokens[255].size() + 1;
  if (index - end >= kMaxPadding)
    return problem(ErrorKind::malformed, end,
                   fmt::format("{} bytes between the token table's end and kallsyms_token_index; "
                               "expected alignment padding of fewer than {}",
                               index - end, kMaxPadding));
  for (uint64_t p = end; p < index; ++p)
    if (image.u8(p, "padding") != 0)
      return problem(ErrorKind::malformed, p, "non-zero padding before kallsyms_token_index");
  return out;
}

TokenTable read_token_table(const ByteReader& image, uint64_t table, uint64_t index) {
  return value_or_throw(token_table_at(image, table, index));
}

std::vector<TokenTable> find_token_tables(const ByteReader& image) {
  static constexpr std::string_view kDigits{
      "0\0"
      "1\0"
      "2\0"
      "3\0"
      "4\0"
      "5\0"
      "6\0"
      "7\0"
      "8\0"
      "9\0",
      20};
  const std::string_view hay = as_chars(image.data());
  std::vector<TokenTable> found;
  // string_view::find looks for '0' with memchr first: much faster here than
  // a skip table, since the pattern ends in NUL and kernels hold long runs
  // of zeros.
  for (size_t pos = hay.find(kDigits); pos != std::string_view::npos;
       pos = hay.find(kDigits, pos + 1)) {
    const uint64_t digits = pos;
    // The index follows the table: look for it within the largest table.
    const uint64_t stop = std::min<uint64_t>(image.size(), digits + 256 * (kMaxToken + 1));
    for (uint64_t at = (digits + 1) & ~uint64_t{1}; at + kIndexBytes <= stop; at += 2) {
      if (image.u16(at, "index") != 0) continue;
      const uint64_t zero_digit = image.u16(at + uint64_t{2} * '0', "index");
      if (zero_digit > digits || image.u16(at + 2, "index") == 0) continue;
      // The digits are one-character tokens, one after another: their
      // index entries too (what read_token_table would find, without its
      // errors for the many places that are no index).
      bool digits_follow = true;
      for (uint64_t c = 1; c <= 9 && digits_follow; ++c)
        digits_follow = image.u16(at + 2 * ('0' + c), "index") == zero_digit + 2 * c;
      if (!digits_follow) continue;
      const uint64_t table = digits - zero_digit;
      Result<TokenTable> t = token_table_at(image, table, at);
      if (!t) continue;  // not a token table here; the search goes on
      bool all = true;
      for (int c = '0'; c <= '9'; ++c) all &= t->tokens[c].size() == 1;
      for (int c = 'a'; c <= 'z'; ++c) all &= t->tokens[c].size() == 1;
      if (all) found.push_back(*std::move(t));
    }
  }
  return found;
}

}  // namespace lucompat
