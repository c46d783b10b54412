#include "lucompat/report/inspect_report.h"
#include "lucompat/report/module_tree_report.h"

namespace lucompat {

std::string_view module_tree_status(const ModuleTree& tree) {
  if (tree.errors != 0) return "error";
  std::string_view status = "no_table";
  for (const auto& m : tree.modules)
    if (m.result) status = strongest_status(status, version_set_status(*m.result));
  return status;
}

nlohmann::json module_tree_json(const ModuleTree& tree) {
  using nlohmann::json;
  json modules = json::array();
  for (const auto& m : tree.modules) modules.push_back(member_json(m.path, m.result));
  json entries = json::array();
  for (const auto& e : tree.entries)
    entries.push_back({{"compatible", e.compatible}, {"modules", e.modules}});
  return {
      {"schema", kModuleTreeSchema},
      {"input", tree.root},
      {"status", module_tree_status(tree)},
      {"releases", tree.releases},
      {"counts",
       {{"modules", tree.modules.size()},
        {"with_table", tree.with_table},
        {"without_table", tree.without_table},
        {"errors", tree.errors}}},
      {"entries", std::move(entries)},
      {"modules", std::move(modules)},
  };
}

}  // namespace lucompat
