#include "lucompat/report/package_report.h"

#include <fmt/format.h>

#include "lucompat/base/printable.h"
#include "lucompat/report/inspect_report.h"
#include "lucompat/report/module_tree_report.h"

namespace lucompat {

bool package_has_table(const PackageReport& p) {
  for (const auto& k : p.kernels)
    if (k.result && has_version_set(*k.result)) return true;
  return p.modules.with_table != 0;
}

size_t package_errors(const PackageReport& p) {
  size_t n = p.modules.errors;
  for (const auto& k : p.kernels) n += k.result ? 0 : 1;
  return n;
}

nlohmann::json package_json(const PackageReport& p) {
  using nlohmann::json;
  json kernels = json::array();
  for (const auto& k : p.kernels) kernels.push_back(member_json(k.path, k.result));
  json modules = module_tree_json(p.modules);
  modules.erase("schema");
  std::string_view status = module_tree_status(p.modules);
  for (const auto& k : p.kernels)
    status = !k.result || status == "error"
                 ? "error"
                 : strongest_status(status, version_set_status(*k.result));
  return {{"schema", kPackageSchema},
          {"input", p.input},
          {"format", p.format},
          {"debug", p.debug},
          {"status", status},
          {"kernels", std::move(kernels)},
          {"modules", std::move(modules)}};
}

std::string package_text(const PackageReport& p, bool verbose) {
  std::string out =
      fmt::format("{}: {} {}package, {} kernel image{}, {} module{}\n", printable(p.input),
                  p.format == "deb" ? "Debian" : "RPM", p.debug ? "debug " : "", p.kernels.size(),
                  p.kernels.size() == 1 ? "" : "s", p.modules.modules.size(),
                  p.modules.modules.size() == 1 ? "" : "s");
  if (p.debug)
    out +=
        "  the kernel and modules with their debug info, under usr/lib/debug/ (the running "
        "kernel's own package holds the same registrations)\n";
  for (const auto& k : p.kernels)
    out += k.result ? inspect_text(*k.result)
                    : fmt::format("  unreadable: {}\n", k.result.error().to_string());
  if (!p.modules.modules.empty()) out += module_tree_text(p.modules, verbose);
  return out;
}

}  // namespace lucompat
