// Renderers for a module tree.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "lucompat/inspect/module_tree.h"

namespace lucompat {

// Schema "lucompat.module-tree/1", documented in docs/json-schema.md.
inline constexpr std::string_view kModuleTreeSchema = "lucompat.module-tree/1";

nlohmann::json module_tree_json(const ModuleTree& tree);

// Modules without a table are counted, and listed only when `verbose`.
std::string module_tree_text(const ModuleTree& tree, bool verbose);

}  // namespace lucompat
