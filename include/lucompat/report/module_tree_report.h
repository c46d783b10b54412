// Renderers for a module tree.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "lucompat/inspect/module_tree.h"

namespace lucompat {

// Schema "lucompat.module-tree/2", documented in docs/json-schema.md.
inline constexpr std::string_view kModuleTreeSchema = "lucompat.module-tree/2";

nlohmann::json module_tree_json(const ModuleTree& tree);
// The tree's `status`: "error" when a module could not be read, else the
// strongest of its modules' (version_set_status).
std::string_view module_tree_status(const ModuleTree& tree);

// Modules without a table are counted, and listed only when `verbose`.
std::string module_tree_text(const ModuleTree& tree, bool verbose);

}  // namespace lucompat
