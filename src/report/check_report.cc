#include "lucompat/base/printable.h"
#include "lucompat/report/check_report.h"

#include <fmt/format.h>

#include <algorithm>

namespace lucompat {
namespace {

using nlohmann::json;

std::string list(const std::vector<std::string>& items) {
  if (items.empty()) return "-";
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

json kernel_json(const KernelSide& k) {
  const Inspection& in = k.kernel;
  json sources = json::object();
  for (const auto& [s, from] : k.strings) sources[s] = from;
  return {
      {"path", k.path},
      {"how", k.how},
      {"release", in.identity.release},
      {"banner", in.identity.banner.empty() ? json(nullptr) : json(in.identity.banner)},
      {"build_id", in.identity.build_id.empty() ? json(nullptr) : json(in.identity.build_id)},
      {"arch", in.arch},
      {"chain", in.describe_chain()},
      {"has_table", in.table.has_value()},
      {"evidence", evidence_of(in)},
      {"modules", k.modules.empty() ? json(nullptr) : json(k.modules)},
      {"module_count", k.module_count},
      {"strings", std::move(sources)},
  };
}

std::string kernel_line(const char* label, const KernelSide& k) {
  const std::string& release = k.kernel.identity.release;
  std::string out = fmt::format("{:<8} {} {} ({})", label, release.empty() ? "?" : printable(release),
                                printable(k.path), printable(k.how));
  if (!k.modules.empty())
    out += fmt::format(", with {} module{} from {}", k.module_count, k.module_count == 1 ? "" : "s",
                       printable(k.modules));
  return out + fmt::format("; evidence: {}\n", evidence_of(k.kernel));
}

}  // namespace

json check_json(const CheckOutcome& o) {
  json families = json::array();
  for (const auto& f : o.report.families)
    families.push_back({
        {"family", f.family},
        {"class", name(f.cls)},
        {"required", f.required},
        {"used_by", f.used_by},
        {"running_emits", f.emits},
        {"next_understands", f.understands},
        {"working_set", f.working},
        {"chosen", f.chosen.empty() ? json(nullptr) : json(f.chosen)},
        {"verdict", name(f.verdict)},
        {"reasons", f.reasons},
    });
  json unknown = json::array();
  for (const auto& u : o.report.unknown)
    unknown.push_back({{"compatible", u.compatible}, {"family", u.family}, {"kernel", u.kernel}});
  return {
      {"schema", kCheckSchema},
      {"verdict", name(o.report.verdict)},
      {"exit_code", static_cast<int>(exit_code(o.report.verdict))},
      {"summary", o.report.summary},
      {"current", kernel_json(o.current)},
      {"next", kernel_json(o.next)},
      {"families", std::move(families)},
      {"unknown_strings", std::move(unknown)},
      {"notes", o.notes},
      {"profile", o.profile.empty() ? json(nullptr) : json(o.profile)},
  };
}

json check_error_json(const Error& e, ExitCode code) {
  return {
      {"schema", kCheckSchema},
      {"verdict", "error"},
      {"exit_code", static_cast<int>(code)},
      {"summary", e.to_string()},
      {"error",
       {{"kind", name(e.kind)},
        {"input", e.input},
        {"offset", e.offset ? json(*e.offset) : json(nullptr)},
        {"message", e.message},
        {"text", e.to_string()}}},
  };
}

std::string check_text(const CheckOutcome& o) {
  std::string out = kernel_line("current", o.current) + kernel_line("next", o.next);
  if (!o.profile.empty()) out += "profile  " + printable(o.profile) + "\n";
  for (const auto& n : o.notes) out += "note: " + printable(n) + "\n";
  const CheckReport& r = o.report;
  if (!r.families.empty()) {
    std::vector<std::array<std::string, 7>> rows{
        {"family", "used by", "running emits", "next understands", "working set", "chosen", "verdict"}};
    for (const auto& f : r.families) {
      std::string used = f.used_by.empty() ? "-" : printable(f.used_by.front());
      if (f.used_by.size() > 1) used += fmt::format(" (+{})", f.used_by.size() - 1);
      if (used.size() > 28) {
        size_t cut = 27;
        while (cut > 0 && (static_cast<unsigned char>(used[cut]) & 0xc0) == 0x80) --cut;
        used = used.substr(0, cut) + "…";
      }
      std::string fam = f.family + (f.required ? "" : " (opt)");
      rows.push_back({fam, used, list(f.emits), list(f.understands), list(f.working),
                      f.chosen.empty() ? "-" : f.chosen, std::string(name(f.verdict))});
    }
    std::array<size_t, 7> width{};
    for (const auto& row : rows)
      for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    out += '\n';
    for (const auto& row : rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i)
        line += fmt::format("{:<{}}{}", row[i], i + 1 < row.size() ? width[i] : 0, i + 1 < row.size() ? "  " : "");
      out += line + "\n";
    }
    out += '\n';
    for (const auto& f : r.families)
      for (const auto& reason : f.reasons)
        out += fmt::format("  {}: {}\n", printable(f.family), printable(reason));
  }
  for (const auto& u : r.unknown)
    out += fmt::format("  unknown: {} in the {} kernel: no catalog family matches (\"{}\"); not checked\n",
                       printable(u.compatible), u.kernel, printable(u.family));
  return out + "\n" + r.summary + "\n";
}

}  // namespace lucompat
