#include <fmt/format.h>

#include <charconv>

#include "fleet/stores.h"

namespace lucompat {

std::string time_order_sql(std::string_view c) {
  return fmt::format(
      "(substr({0}, 1, 19) || substr(CASE WHEN length({0}) > 20 THEN substr({0}, 20, length({0}) - 20) "
      "ELSE '.' END || '000000000', 1, 10))",
      c);
}

Error StoredValues::corrupt(const std::string& what, const std::string& problem) const {
  return Error{ErrorKind::malformed, store_, std::nullopt, fmt::format("corrupt store: {}: {}", what, problem)};
}

Result<int64_t> StoredValues::integer(std::string_view text, const std::string& what) const {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return corrupt(what, "not an integer");
  return v;
}

Result<std::vector<std::string>> StoredValues::strings(std::string_view text, const std::string& what) const {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& s : j) {
      if (!s.is_string()) break;
      out.push_back(s.get<std::string>());
    }
  if (!j.is_array() || out.size() != j.size()) return corrupt(what, "not a JSON array of strings");
  return out;
}

Result<std::string> StoredValues::string_object(std::string_view text, const std::string& what) const {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  bool ok = j.is_object();
  if (ok)
    for (const auto& [k, v] : j.items()) ok = ok && v.is_string();
  if (!ok) return corrupt(what, "not a JSON object of strings");
  return std::string(text);
}

Result<UtcTime> StoredValues::time(std::string_view text, const std::string& what) const {
  if (auto t = parse_utc(text)) return *t;
  return corrupt(what, "not a UTC time");
}

}  // namespace lucompat
