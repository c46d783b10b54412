// Renderers for a kernel package.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "lucompat/inspect/package.h"

namespace lucompat {

// Schema "lucompat.package/2", documented in docs/json-schema.md.
inline constexpr std::string_view kPackageSchema = "lucompat.package/2";

nlohmann::json package_json(const PackageReport& package);
std::string package_text(const PackageReport& package, bool verbose);

// Whether any kernel image or module in the package has a table.
bool package_has_table(const PackageReport& package);
size_t package_errors(const PackageReport& package);

}  // namespace lucompat
