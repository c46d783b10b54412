// Renderers for inspect results: analysis never prints, these do.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "lucompat/base/error.h"
#include "lucompat/inspect/inspect.h"

namespace lucompat {

// Schema "lucompat.inspect/2", documented in docs/json-schema.md.
inline constexpr std::string_view kInspectSchema = "lucompat.inspect/2";

// What an input's strings come from, as `status` and check's kernels say it:
// "table" only for an RFC .liveupdate_versions table, "derived" for a version
// set read from the registrations (or an incomplete one), else "no_table".
// has_version_set() alone would call a mainline kernel's derived set a table.
std::string_view version_set_status(const Inspection& inspection);
// The strongest status among the readable members of a tree or package.
std::string_view strongest_status(std::string_view a, std::string_view b);

nlohmann::json inspect_json(const Inspection& inspection);
nlohmann::json inspect_error_json(const Error& error);

// The document of one member of a tree or package: an inspection or its
// error, with `path` (inside the tree or package) and without the schema key.
nlohmann::json member_json(const std::string& path, const Result<Inspection>& result);

// `colour`: ANSI colours on near misses, unread lists and warnings.
std::string inspect_text(const Inspection& inspection, bool colour = false);

// The plain-language reason an input has no table.
std::string no_table_reason(const Inspection& inspection);

}  // namespace lucompat
