#include <fmt/format.h>

#include "lucompat/base/printable.h"
#include "lucompat/report/module_tree_report.h"

namespace lucompat {
namespace {

std::string printable_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + printable(s);
  return out;
}

}  // namespace

std::string module_tree_text(const ModuleTree& tree, bool verbose) {
  std::string out =
      fmt::format("{}: module tree, {} module{}: {} with a table, {} without, {} unreadable\n",
                  printable(tree.root), tree.modules.size(), tree.modules.size() == 1 ? "" : "s",
                  tree.with_table, tree.without_table, tree.errors);
  if (!tree.releases.empty())
    out += fmt::format("  release{}  {}\n", tree.releases.size() == 1 ? " " : "s",
                       printable_list(tree.releases));
  if (tree.releases.size() > 1)
    out += "  warning: the modules were built for different kernel releases\n";
  if (!tree.entries.empty()) {
    out += "  entries:\n";
    size_t width = 0;
    for (const auto& e : tree.entries) width = std::max(width, e.compatible.size());
    for (const auto& e : tree.entries)
      out += fmt::format("    {:<{}}  {}\n", printable(e.compatible), width,
                         printable_list(e.modules));
  } else if (tree.errors == 0) {
    out += "  entries:  none: no module declares a live-update file handler\n";
  }
  for (const auto& m : tree.modules)
    if (!m.result) out += fmt::format("  unreadable: {}\n", m.result.error().to_string());
  if (verbose) {
    out += "  modules without a table:\n";
    for (const auto& m : tree.modules)
      if (m.result && !has_version_set(*m.result))
        out += fmt::format("    {}\n", printable(m.path));
  }
  return out;
}

}  // namespace lucompat
