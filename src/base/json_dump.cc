#include "lucompat/base/json_dump.h"

#include "lucompat/base/printable.h"

#include <fmt/format.h>

namespace lucompat {
namespace {

using nlohmann::json;

// A copy of `v` whose every string and key is JSON-safe.
json safe(const json& v) {
  if (v.is_string()) return json_text(v.get_ref<const std::string&>());
  if (v.is_array()) {
    json out = json::array();
    for (const json& e : v) out.push_back(safe(e));
    return out;
  }
  if (v.is_object()) {
    json out = json::object();
    for (const auto& [k, e] : v.items()) out[json_text(k)] = safe(e);
    return out;
  }
  return v;
}

}  // namespace

std::string dump_json(const json& doc, int indent) {
  // Almost every document is UTF-8 already: it is written without a copy,
  // and only one that is not is made safe and written again.
  try {
    return doc.dump(indent);
  } catch (const json::type_error& e) {
    if (e.id != 316) throw;  // 316: a string that is not UTF-8
  }
  return safe(doc).dump(indent);
}

json hex_json(uint64_t value) { return fmt::format("{:#x}", value); }

json error_json(const Error& error) {
  return {{"kind", name(error.kind)},
          {"input", error.input.empty() ? json(nullptr) : json(error.input)},
          {"offset", error.offset ? json(*error.offset) : json(nullptr)},
          {"context", error.context.empty() ? json(nullptr) : json(error.context)},
          {"message", error.message},
          {"text", error.to_string()}};
}

}  // namespace lucompat
