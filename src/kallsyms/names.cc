#include "kallsyms/names.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "kallsyms/problem.h"
#include "kallsyms/table_layout.h"

namespace lucompat {
namespace {

// What every name is checked for, from its tokens: read_token_table
// checked them, but a caller may hand over any table.
struct TokenFacts {
  explicit TokenFacts(const TokenTable& tokens) {
    for (size_t t = 0; t < 256; ++t) {
      const std::string& token = tokens.tokens[t];
      size[t] = token.size();
      clean[t] = std::all_of(token.begin(), token.end(), name_char);
      const std::string_view rest = std::string_view(token).substr(token.empty() ? 0 : 1);
      may_label[t] = token.size() < 2 ||
                     std::string_view("kallsyms_").starts_with(rest.substr(0, 9)) ||
                     std::string_view("_text").starts_with(rest.substr(0, 5));
    }
  }
  std::array<uint64_t, 256> size{};
  std::array<bool, 256> clean{};
  // Whether a name that starts with the token may be a label: most names
  // are ruled out by their first token alone.
  std::array<bool, 256> may_label{};
};

}  // namespace

Result<DecodedNames> read_names(const ByteReader& image, uint64_t names, uint64_t count,
                                const TokenTable& tokens, const KallsymsLimits& limits) {
  if (count > limits.max_symbols)
    return problem(ErrorKind::limit, names,
                   fmt::format("kallsyms_num_syms is {}, more than the limit of {}", count,
                               limits.max_symbols));
  const TokenFacts facts(tokens);
  const auto& [size, clean, may_label] = facts;
  DecodedNames out;
  out.names = KallsymsNames(tokens.tokens);
  uint64_t at = names;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t start = at;
    if (i % 256 == 0) {
      if (at - names > UINT32_MAX)
        return problem(ErrorKind::malformed, at,
                       "kallsyms_names is larger than its u32 markers can say");
      out.markers.push_back(static_cast<uint32_t>(at - names));
    }
    if (!image.contains(at, 1)) return truncated(image, at, "a kallsyms_names length");
    uint64_t len = image.u8(at++, "kallsyms_names length");
    if (len & 0x80) {
      if (!image.contains(at, 1)) return truncated(image, at, "a kallsyms_names length");
      len = (len & 0x7f) | (uint64_t{image.u8(at++, "kallsyms_names length")} << 7);
    }
    if (len == 0)
      return problem(ErrorKind::malformed, start,
                     fmt::format("symbol {} has a zero-length name", i));
    if (len > limits.max_name)
      return problem(ErrorKind::limit, start,
                     fmt::format("symbol {} is {} tokens long, more than the limit of {} "
                                 "characters",
                                 i, len, limits.max_name));
    if (!image.contains(at, len)) return truncated(image, at, "kallsyms_names tokens");
    const Bytes code = image.bytes(at, len, "kallsyms_names tokens");
    at += len;
    uint64_t expanded = 0;
    bool all_clean = true;
    char type = 0;
    for (std::byte b : code) {
      const auto t = static_cast<uint8_t>(b);
      if (expanded == 0 && size[t] != 0) type = tokens.tokens[t][0];
      expanded += size[t];
      all_clean &= clean[t];
    }
    const auto spelled = [&] {
      std::string name;
      for (std::byte b : code) name += tokens.tokens[static_cast<uint8_t>(b)];
      return name;
    };
    if (expanded > limits.max_name)
      return problem(ErrorKind::limit, start,
                     fmt::format("symbol {} expands to {} characters, more than the limit of {}", i,
                                 expanded, limits.max_name));
    // System.map's types: nm's letters, and '?' for the section markers
    // (__init_end, __nosave_begin) that sit in no section nm can name.
    if (expanded < 2 || !(std::isalpha(static_cast<unsigned char>(type)) || type == '?'))
      return problem(ErrorKind::malformed, start,
                     fmt::format("symbol {} expands to \"{}\"; expected a type letter and a name",
                                 i, spelled()));
    if (!all_clean)
      return problem(ErrorKind::malformed, start,
                     fmt::format("symbol {} expands to a name with a non-printable character", i));
    out.names.add(code, type, expanded - 1);
    const size_t s = out.names.size() - 1;
    if (may_label[static_cast<uint8_t>(code[0])] &&
        (out.names.is(s, "_text") || out.names.starts_with(s, "kallsyms_")))
      out.labels.emplace_back(s, out.names.name(s));
  }
  out.end = at;
  return out;
}

DecodedNames decode_names(const ByteReader& image, uint64_t names, uint64_t count,
                          const TokenTable& tokens, const KallsymsLimits& limits) {
  return value_or_throw(read_names(image, names, count, tokens, limits));
}

Result<void> match_markers(const ByteReader& image, uint64_t markers, const DecodedNames& names) {
  if (markers < names.end || markers - names.end >= kMaxPadding)
    return problem(ErrorKind::malformed, markers,
                   fmt::format("kallsyms_markers is at 0x{:x}, but the names end at 0x{:x}",
                               markers, names.end));
  if (!image.contains(names.end, markers - names.end + 4 * names.markers.size()))
    return truncated(image, markers, "kallsyms_markers");
  for (uint64_t p = names.end; p < markers; ++p)
    if (image.u8(p, "padding") != 0)
      return problem(ErrorKind::malformed, p,
                     "non-zero padding between kallsyms_names and kallsyms_markers");
  for (size_t k = 0; k < names.markers.size(); ++k) {
    const uint32_t m = image.u32(markers + 4 * k, "kallsyms_markers entry");
    if (m != names.markers[k])
      return problem(ErrorKind::malformed, markers + 4 * k,
                     fmt::format("kallsyms_markers[{}] is {}, but symbol {} starts {} bytes into "
                                 "kallsyms_names",
                                 k, m, k * 256, names.markers[k]));
  }
  return {};
}

void check_markers(const ByteReader& image, uint64_t markers, const DecodedNames& names) {
  if (auto r = match_markers(image, markers, names); !r) throw ParseError(std::move(r).error());
}

}  // namespace lucompat
