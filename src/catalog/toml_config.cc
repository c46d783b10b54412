#include "lucompat/catalog/toml_config.h"

#include <fmt/format.h>

namespace lucompat {

std::string toml_position(const std::string& origin, const toml::source_region& where) {
  return fmt::format("{}:{}:{}", origin, where.begin.line, where.begin.column);
}

Error config_error(const std::string& origin, const toml::source_region& where,
                   std::string message) {
  return Error{ErrorKind::malformed, toml_position(origin, where), std::nullopt,
               std::move(message)};
}

namespace {

// Configuration is input too: a 200,000-character fd pattern once overflowed
// the stack in fnmatch. Nothing a catalog, profile, manifest or host.toml
// legitimately holds comes near these (an fd pattern is at most a path).
constexpr size_t kMaxConfigString = 4096;
constexpr size_t kMaxConfigKey = 256;

std::optional<Error> check_lengths(const toml::node& n, const std::string& origin) {
  if (const auto* s = n.as_string(); s != nullptr && s->get().size() > kMaxConfigString)
    return config_error(origin, n.source(),
                        fmt::format("a string of {} bytes; at most {} are allowed", s->get().size(),
                                    kMaxConfigString));
  if (const auto* t = n.as_table()) {
    for (const auto& [key, value] : *t) {
      if (key.str().size() > kMaxConfigKey)
        return config_error(origin, value.source(),
                            fmt::format("a key of {} bytes; at most {} are allowed",
                                        key.str().size(), kMaxConfigKey));
      if (auto e = check_lengths(value, origin)) return e;
    }
  }
  if (const auto* a = n.as_array())
    for (const auto& item : *a)
      if (auto e = check_lengths(item, origin)) return e;
  return std::nullopt;
}

}  // namespace

Result<toml::table> parse_toml(std::string_view text, const std::string& origin) {
  toml::table doc;
  try {
    doc = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return config_error(origin, e.source(), std::string(e.description()));
  }
  if (auto e = check_lengths(doc, origin)) return *e;
  return doc;
}

std::optional<Error> read_strings(const toml::table& t, std::string_view key,
                                  const std::string& origin, std::vector<std::string>& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  const toml::array* a = n->as_array();
  if (a == nullptr)
    return config_error(origin, n->source(), fmt::format("{} must be an array of strings", key));
  for (const auto& item : *a) {
    if (!item.is_string())
      return config_error(origin, item.source(),
                          fmt::format("{} must be an array of strings", key));
    out.push_back(**item.as_string());
  }
  return std::nullopt;
}

}  // namespace lucompat
