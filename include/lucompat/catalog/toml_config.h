// What every TOML configuration reader shares (catalog, profiles, manifest,
// host.toml): parsing, string lists, and errors that name file:line:col.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "lucompat/base/result.h"

namespace lucompat {

// "file:line:col" of a TOML node.
std::string toml_position(const std::string& origin, const toml::source_region& where);

Error config_error(const std::string& origin, const toml::source_region& where,
                   std::string message);

Result<toml::table> parse_toml(std::string_view text, const std::string& origin);

// t[key] as strings, appended to `out`; absent is fine, anything but an array
// of strings is an error at its position.
std::optional<Error> read_strings(const toml::table& t, std::string_view key,
                                  const std::string& origin, std::vector<std::string>& out);

}  // namespace lucompat
