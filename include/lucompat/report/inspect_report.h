// Renderers for inspect results: analysis never prints, these do.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "lucompat/base/error.h"
#include "lucompat/inspect/inspect.h"

namespace lucompat {

// Schema "lucompat.inspect/1", documented in docs/json-schema.md.
inline constexpr std::string_view kInspectSchema = "lucompat.inspect/1";

nlohmann::json inspect_json(const Inspection& inspection);
nlohmann::json inspect_error_json(const Error& error);

// The document of one member of a tree or package: an inspection or its
// error, with `path` (inside the tree or package) and without the schema key.
nlohmann::json member_json(const std::string& path, const Result<Inspection>& result);

std::string inspect_text(const Inspection& inspection);

// The plain-language reason an input has no table.
std::string no_table_reason(const Inspection& inspection);

}  // namespace lucompat
