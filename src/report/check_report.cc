#include "lucompat/report/check_report.h"
#include "lucompat/base/json_dump.h"
#include "lucompat/base/printable.h"
#include "lucompat/report/inspect_report.h"
#include "lucompat/report/paint.h"
#include "lucompat/report/reasons.h"
#include "lucompat/table/compatible.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace lucompat {
namespace {

using nlohmann::json;

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
      {"status", version_set_status(in)},
      {"liveupdate", name(luo_presence(in))},
      {"evidence", evidence_of(in)},
      {"modules", k.modules.empty() ? json(nullptr) : json(k.modules)},
      {"module_count", k.module_count},
      {"strings", std::move(sources)},
  };
}

std::string kernel_line(const char* label, const KernelSide& k) {
  const std::string& release = k.kernel.identity.release;
  std::string out =
      fmt::format("{:<8} {} {} ({})", label, release.empty() ? "?" : printable(release),
                  printable(k.path), printable(k.how));
  if (!k.modules.empty())
    out += fmt::format(", with {} module{} from {}", k.module_count, k.module_count == 1 ? "" : "s",
                       printable(k.modules));
  return out + fmt::format("; evidence: {}\n", evidence_of(k.kernel));
}

}  // namespace

// The composites a family's strings hold, split: what a consumer would
// otherwise split itself, and must split as lucompat does.
json composites_json(const FamilyCheck& f) {
  json out = json::object();
  for (const auto* strings : {&f.emits, &f.understands})
    for (const auto& s : *strings)
      if (is_composite(s)) {
        json parts = json::array();
        for (std::string_view c : components_of(s)) parts.push_back(c);
        out[s] = std::move(parts);
      }
  return out;
}

std::string summary_of(const CheckOutcome& o) {
  return o.no_table && o.report.verdict == Verdict::undecided ? *o.no_table
                                                              : check_summary(o.report);
}

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
        {"negotiated_version", f.negotiated_version ? json(*f.negotiated_version) : json(nullptr)},
        {"components", composites_json(f)},
        {"missing_components", f.missing_components},
        {"verdict", json_name(f.verdict)},
        {"reasons", describe(f.reasons)},
        {"reason_details", reasons_json(f.reasons)},
    });
  // Incomplete evidence that a proven loss outranked: said, not hidden.
  std::vector<std::string> notes = o.notes;
  if (o.no_table && o.report.verdict != Verdict::undecided) notes.push_back(*o.no_table);
  json unknown = json::array();
  for (const auto& u : o.report.unknown)
    unknown.push_back({{"compatible", u.compatible}, {"family", u.family}, {"kernel", u.kernel}});
  return {
      {"schema", kCheckSchema},
      {"verdict", json_name(o.report.verdict)},
      {"exit_code", static_cast<int>(exit_code(o.report.verdict))},
      {"summary", summary_of(o)},
      {"current", kernel_json(o.current)},
      {"next", kernel_json(o.next)},
      {"families", std::move(families)},
      {"unknown_strings", std::move(unknown)},
      {"update", describe(o.report.update)},
      {"update_details", reasons_json(o.report.update)},
      {"notes", std::move(notes)},
      {"profile", o.profile.empty() ? json(nullptr) : json(o.profile)},
  };
}

json check_error_json(const Error& e, ExitCode code) {
  return {
      {"schema", kCheckSchema},   {"verdict", "error"},     {"exit_code", static_cast<int>(code)},
      {"summary", e.to_string()}, {"error", error_json(e)},
  };
}

namespace {

// A list cut to `width` at a comma, with how many were left out: the table
// stays within 80 columns, and the reasons and JSON keep every string.
std::string fitted(const std::vector<std::string>& items, size_t width) {
  std::string out;
  size_t shown = 0;
  for (const auto& s : items) {
    const std::string next = (out.empty() ? "" : out + ", ") + printable(s);
    const std::string more = fmt::format(" +{}", items.size() - shown - 1);
    if (next.size() + (shown + 1 < items.size() ? more.size() : 0) > width && shown > 0) break;
    out = next;
    ++shown;
  }
  if (shown < items.size()) out += fmt::format(" +{}", items.size() - shown);
  return out.empty() ? "-" : out;
}

std::string painted(std::string_view text, Verdict v, bool colour) {
  switch (v) {
    case Verdict::compatible:
      return painted(text, Tone::good, colour);
    case Verdict::warning:
    case Verdict::undecided:
      return painted(text, Tone::doubt, colour);
    case Verdict::incompatible:
      return painted(text, Tone::bad, colour);
    default:
      return std::string(text);
  }
}

std::string used_by_line(const FamilyCheck& f) {
  std::string out;
  for (const auto& u : f.used_by) out += (out.empty() ? "" : "; ") + printable(u);
  return fmt::format("  {}: in use: {}\n", printable(f.family), out);
}

// family | running emits | next understands | verdict: at most 78 columns.
std::string family_table(const CheckReport& r, bool colour) {
  constexpr size_t kListWidth = 20;
  std::vector<std::array<std::string, 4>> rows{
      {"family", "running emits", "next understands", "verdict"}};
  std::vector<Verdict> verdicts{Verdict::unused};
  for (const auto& f : r.families) {
    rows.push_back({printable(f.family) + (f.required ? "" : " (opt)"), fitted(f.emits, kListWidth),
                    fitted(f.understands, kListWidth), std::string(name(f.verdict))});
    verdicts.push_back(f.verdict);
  }
  std::array<size_t, 4> width{};
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (size_t n = 0; n < rows.size(); ++n) {
    const auto& row = rows[n];
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", row[0], width[0], row[1], width[1], row[2],
                       width[2], painted(row[3], verdicts[n], colour));
  }
  return out;
}

}  // namespace

std::string check_text(const CheckOutcome& o, bool colour, bool verbose) {
  std::string out = kernel_line("current", o.current) + kernel_line("next", o.next);
  if (!o.profile.empty()) out += "profile  " + printable(o.profile) + "\n";
  for (const auto& n : o.notes) out += "note: " + printable(n) + "\n";
  const CheckReport& r = o.report;
  if (o.no_table && r.verdict != Verdict::undecided)
    out += "note: " + printable(*o.no_table) + "\n";
  // A kernel that leaves the update undecided is the verdict line already.
  for (const auto& u : r.update)
    if (u.code != ReasonCode::kernel_undecided) out += "update: " + printable(describe(u)) + "\n";
  if (!r.families.empty()) {
    out += '\n' + family_table(r, colour);
    std::string details;
    for (const auto& f : r.families) {
      if (f.verdict == Verdict::compatible && !verbose) continue;
      if (!f.used_by.empty()) details += used_by_line(f);
      for (const auto& reason : f.reasons)
        details += fmt::format("  {}: {}\n", printable(f.family), printable(describe(reason)));
    }
    if (!details.empty()) out += '\n' + details;
  }
  for (const auto& u : r.unknown)
    out += fmt::format(
        "  unknown: {} in the {} kernel: no catalog family matches (\"{}\"); not checked\n",
        printable(u.compatible), u.kernel, printable(u.family));
  return out + "\n" + check_verdict_line(o, colour);
}

std::string check_verdict_line(const CheckOutcome& o, bool colour) {
  return painted(summary_of(o), o.report.verdict, colour) + "\n";
}

}  // namespace lucompat
