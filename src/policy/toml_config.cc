#include "policy/toml_config.h"

#include <fmt/format.h>

namespace lucompat {

std::string toml_position(const std::string& origin, const toml::source_region& where) {
  return fmt::format("{}:{}:{}", origin, where.begin.line, where.begin.column);
}

Error config_error(const std::string& origin, const toml::source_region& where, std::string message) {
  return Error{ErrorKind::malformed, toml_position(origin, where), std::nullopt, std::move(message)};
}

Result<toml::table> parse_toml(std::string_view text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return config_error(origin, e.source(), std::string(e.description()));
  }
}

std::optional<Error> read_strings(const toml::table& t, std::string_view key, const std::string& origin,
                                  std::vector<std::string>& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  const toml::array* a = n->as_array();
  if (a == nullptr) return config_error(origin, n->source(), fmt::format("{} must be an array of strings", key));
  for (const auto& item : *a) {
    if (!item.is_string())
      return config_error(origin, item.source(), fmt::format("{} must be an array of strings", key));
    out.push_back(**item.as_string());
  }
  return std::nullopt;
}

}  // namespace lucompat
