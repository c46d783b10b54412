#include "lucompat/report/inspect_report.h"
#include "lucompat/report/module_tree_report.h"

namespace lucompat {

nlohmann::json module_tree_json(const ModuleTree& tree) {
  using nlohmann::json;
  json modules = json::array();
  for (const auto& m : tree.modules) modules.push_back(member_json(m.path, m.result));
  json entries = json::array();
  for (const auto& e : tree.entries)
    entries.push_back({{"compatible", e.compatible}, {"modules", e.modules}});
  const char* status = tree.errors != 0 ? "error" : tree.with_table != 0 ? "table" : "no-table";
  return {
      {"schema", kModuleTreeSchema},
      {"input", tree.root},
      {"status", status},
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
