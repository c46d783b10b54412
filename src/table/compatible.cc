#include "lucompat/table/compatible.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace lucompat {

std::vector<std::string_view> components_of(std::string_view compatible) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t end; (end = compatible.find(kComponentSeparator, start)) != std::string_view::npos;
       start = end + 1)
    out.push_back(compatible.substr(start, end - start));
  out.push_back(compatible.substr(start));
  return out;
}

bool is_composite(std::string_view compatible) {
  return compatible.find(kComponentSeparator) != std::string_view::npos;
}

std::string component_key(std::string_view compatible) {
  std::vector<std::string_view> parts = components_of(compatible);
  std::sort(parts.begin() + 1, parts.end());
  std::string key;
  for (std::string_view p : parts) {
    if (!key.empty()) key += kComponentSeparator;
    key += p;
  }
  return key;
}

std::optional<SyntaxProblem> compatible_problem(std::string_view compatible) {
  if (const size_t at = compatible.find(kIntegerVersionSeparator); at != std::string_view::npos)
    return SyntaxProblem{
        at, fmt::format("'{}' in \"{}\": only an integer-version entry is spelled "
                        "NAME{}N",
                        kIntegerVersionSeparator, compatible, kIntegerVersionSeparator)};
  if (!is_composite(compatible)) return std::nullopt;
  size_t start = 0;
  size_t number = 1;
  for (std::string_view part : components_of(compatible)) {
    if (part.empty())
      return SyntaxProblem{
          start, fmt::format("composite \"{}\": component {} is empty", compatible, number)};
    start += part.size() + 1;
    ++number;
  }
  return std::nullopt;
}

std::string integer_compatible(std::string_view name, uint32_t version) {
  return fmt::format("{}{}{}", name, kIntegerVersionSeparator, version);
}

std::optional<IntegerVersion> parse_integer_compatible(std::string_view compatible) {
  const size_t at = compatible.rfind(kIntegerVersionSeparator);
  if (at == std::string_view::npos || at == 0 || at + 1 == compatible.size()) return std::nullopt;
  const std::string_view digits = compatible.substr(at + 1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  uint32_t v = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || end != digits.data() + digits.size() || v == 0) return std::nullopt;
  return IntegerVersion{compatible.substr(0, at), v};
}

}  // namespace lucompat
