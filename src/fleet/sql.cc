#include "fleet/sql.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "lucompat/base/printable.h"
#include "lucompat/fleet/host_report.h"

namespace lucompat::sql {

Error Rows::corrupt(std::string_view what, std::string_view of, std::string_view problem) const {
  return Error{ErrorKind::malformed, store_, std::nullopt,
               of.empty() ? fmt::format("corrupt store: {}: {}", what, problem)
                          : fmt::format("corrupt store: {} {}: {}", what, of, problem)};
}

Result<int64_t> Rows::integer(int col, std::string_view what, std::string_view of) const {
  if (auto v = cursor_->integer(col)) return *v;
  return corrupt(what, of, "not an integer");
}

Result<std::optional<int64_t>> Rows::optional_integer(int col, std::string_view what,
                                                      std::string_view of) const {
  if (cursor_->null(col)) return std::optional<int64_t>();
  LUCOMPAT_TRY(v, integer(col, what, of));
  return std::optional<int64_t>(*v);
}

Result<bool> Rows::boolean(int col, std::string_view what, std::string_view of) const {
  if (auto v = cursor_->boolean(col)) return *v;
  return corrupt(what, of, "not a boolean");
}

Result<std::string_view> Rows::text(int col, std::string_view what, std::string_view of) const {
  const std::string_view t = cursor_->text(col);
  if (!utf8(t)) return corrupt(what, of, "not UTF-8");
  return t;
}

Result<std::optional<std::string_view>> Rows::optional_text(int col, std::string_view what,
                                                            std::string_view of) const {
  if (cursor_->null(col)) return std::optional<std::string_view>();
  LUCOMPAT_TRY(t, text(col, what, of));
  return std::optional<std::string_view>(*t);
}

// nlohmann's parser without exceptions: a bad document is a discarded value.
Result<std::vector<std::string>> Rows::strings(int col, std::string_view what,
                                               std::string_view of) const {
  const auto j = nlohmann::json::parse(cursor_->text(col), nullptr, false);
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& s : j) {
      if (!s.is_string()) break;
      out.push_back(s.get<std::string>());
    }
  if (!j.is_array() || out.size() != j.size())
    return corrupt(what, of, "not a JSON array of strings");
  return out;
}

Result<std::string_view> Rows::string_object(int col, std::string_view what,
                                             std::string_view of) const {
  const std::string_view text = cursor_->text(col);
  const auto j = nlohmann::json::parse(text, nullptr, false);
  bool ok = j.is_object();
  if (ok)
    for (const auto& [k, v] : j.items()) ok = ok && v.is_string();
  if (!ok) return corrupt(what, of, "not a JSON object of strings");
  return text;
}

Result<UtcTime> Rows::time(int col, std::string_view what, std::string_view of) const {
  if (auto t = parse_utc(cursor_->text(col))) return *t;
  return corrupt(what, of, "not a UTC time");
}

}  // namespace lucompat::sql
