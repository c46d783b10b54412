#include "lucompat/report/profile_report.h"
#include "lucompat/base/json_dump.h"
#include "lucompat/base/printable.h"
#include "lucompat/report/inspect_report.h"
#include "lucompat/report/paint.h"
#include "lucompat/report/reasons.h"

#include <fmt/format.h>

#include <algorithm>

namespace lucompat {
namespace {

using nlohmann::json;

std::string joined(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

json kernel_brief(const KernelSide& k) {
  return {{"path", k.path},
          {"release", k.kernel.identity.release},
          {"has_table", k.kernel.table.has_value()},
          {"status", version_set_status(k.kernel)}};
}

// POSIX shell single quotes: nothing inside is special but the quote itself.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// systemd EnvironmentFile: double quotes, with \ and " escaped.
std::string systemd_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

json profile_json(const Profile& p) {
  return {{"name", p.name},          {"status", name(p.status)}, {"description", p.description},
          {"requires", p.requires_}, {"optional", p.optional},   {"vmm_features", p.vmm_features},
          {"source", p.source}};
}

std::string profile_line(const Profile& p) {
  std::string out = fmt::format("{}  {:<10}  {}", p.name, name(p.status), joined(p.requires_));
  if (!p.optional.empty()) out += fmt::format(" (optional {})", joined(p.optional));
  if (!p.vmm_features.empty()) out += fmt::format("; features {}", joined(p.vmm_features));
  return out;
}

json profiles_json(const ProfileSet& set, const std::vector<ConfigWarning>& warnings) {
  json profiles = json::array();
  for (const auto& p : set.profiles()) profiles.push_back(profile_json(p));
  json w = json::array();
  for (const auto& x : warnings) w.push_back({{"where", x.where}, {"message", x.message}});
  return {{"schema", "lucompat.profiles/1"},
          {"profiles", std::move(profiles)},
          {"warnings", std::move(w)}};
}

std::string profiles_text(const ProfileSet& set, const std::vector<ConfigWarning>& warnings) {
  std::string out;
  if (set.profiles().empty())
    out = "no profiles (define them in /etc/lucompat/profiles.d/*.toml or give --profiles FILE)\n";
  for (const auto& p : set.profiles()) out += profile_line(p) + "\n";
  for (const auto& w : warnings) out += fmt::format("warning: {}: {}\n", w.where, w.message);
  return out;
}

json selection_json(const Selection& s, const UpdateInputs& in) {
  json profiles = json::array();
  for (const auto& v : s.verdicts) {
    std::vector<std::string> warnings;
    for (const auto& w : v.warnings) warnings.push_back(describe_warning(w));
    profiles.push_back({{"name", v.profile->name},
                        {"status", name(v.profile->status)},
                        {"viable", v.viable},
                        {"reasons", describe(v.reasons)},
                        {"reason_details", reasons_json(v.reasons)},
                        {"warnings", warnings},
                        {"warning_details", reasons_json(v.warnings)}});
  }
  return {{"schema", "lucompat.profile-select/2"},
          {"selected", s.selected ? json(s.selected->name) : json(nullptr)},
          {"vmm_features", s.selected ? json(s.selected->vmm_features) : json(nullptr)},
          {"summary", selection_summary(s)},
          {"current", kernel_brief(in.current)},
          {"next", kernel_brief(in.next)},
          {"notes", in.notes},
          {"profiles", std::move(profiles)}};
}

std::string selection_text(const Selection& s, const UpdateInputs& in, bool colour) {
  std::string out =
      fmt::format("current  {} {}\nnext     {} {}\n", in.current.kernel.identity.release,
                  in.current.path, in.next.kernel.identity.release, in.next.path);
  for (const auto& n : in.notes) out += "note: " + printable(n) + "\n";
  if (in.no_table) return out + "\n" + printable(*in.no_table) + "\n";
  out += '\n';
  size_t width = 0;
  for (const auto& v : s.verdicts) width = std::max(width, v.profile->name.size());
  for (const auto& v : s.verdicts) {
    out += fmt::format(
        "  {:<{}}  {:<10}  {}\n", v.profile->name, width, name(v.profile->status),
        painted(v.viable ? "viable" : "not viable", v.viable ? Tone::good : Tone::bad, colour));
    for (const auto& r : v.reasons)
      out += fmt::format("  {:<{}}    {}\n", "", width + 10, printable(describe(r)));
    for (const auto& w : v.warnings)
      out +=
          fmt::format("  {:<{}}    warning: {}\n", "", width + 10, printable(describe_warning(w)));
  }
  return out + "\n" + selection_summary(s) + "\n";
}

namespace {

// A kernel whose complete symbols show no LUO: it supports no profile.
bool no_luo(const MatrixRow& row) { return luo_presence(row.kernel.kernel) == LuoPresence::absent; }

}  // namespace

json matrix_json(const Matrix& m) {
  json profiles = json::array();
  for (const Profile* p : m.profiles)
    profiles.push_back({{"name", p->name}, {"status", name(p->status)}});
  json kernels = json::array();
  for (const auto& row : m.rows) {
    json support = json::object();
    for (size_t i = 0; i < m.profiles.size(); ++i)
      support[m.profiles[i]->name] =
          row.missing.size() > i
              ? json{{"supported", row.missing[i].empty()},
                     {"missing", row.missing[i]},
                     {"reason", no_luo(row) ? json("no_luo") : json(nullptr)}}
              : json{{"supported", nullptr}, {"missing", nullptr}, {"reason", "no_table"}};
    json k = kernel_brief(row.kernel);
    k["profiles"] = std::move(support);
    kernels.push_back(std::move(k));
  }
  return {{"schema", "lucompat.profile-matrix/2"},
          {"gate", m.undecided     ? "undecided"
                   : m.gate_passes ? "pass"
                                   : "fail"},
          {"profiles", std::move(profiles)},
          {"kernels", std::move(kernels)}};
}

std::string matrix_text(const Matrix& m, bool colour) {
  std::vector<std::vector<std::string>> rows{{"kernel"}};
  for (const Profile* p : m.profiles)
    rows[0].push_back(fmt::format("{} ({})", p->name, name(p->status)));
  for (const auto& row : m.rows) {
    std::vector<std::string> line{printable(row.kernel.path)};
    for (const auto& missing : row.missing)
      line.push_back(missing.empty() ? "supported" : "missing " + joined(missing));
    if (no_luo(row)) line.assign(1, printable(row.kernel.path));
    line.resize(m.profiles.size() + 1, no_luo(row) ? "no LUO" : "no table");
    rows.push_back(std::move(line));
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (size_t n = 0; n < rows.size(); ++n) {
    const auto& r = rows[n];
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      // Padded first: the escapes take no columns.
      std::string cell = fmt::format("{:<{}}", r[i], i + 1 < r.size() ? width[i] + 2 : 0);
      if (n > 0 && i > 0)
        cell = painted(cell,
                       r[i] == "supported"  ? Tone::good
                       : r[i] == "no table" ? Tone::doubt
                                            : Tone::bad,
                       colour);
      line += cell;
    }
    out += line + "\n";
  }
  if (m.undecided)
    return out + "\ngate: " + painted("UNDECIDED", Tone::doubt, colour) +
           ": a kernel has no live-update version table, so nothing about it can be proven\n";
  return out + (m.gate_passes ? "\ngate: " + painted("pass", Tone::good, colour) +
                                    ": every kernel supports every active profile\n"
                              : "\ngate: " + painted("FAIL", Tone::bad, colour) +
                                    ": a kernel lacks an active profile the fleet depends on\n");
}

std::string profile_env(const Profile& p, const std::string& format) {
  if (format == "json")
    return dump_json({{"LUCOMPAT_PROFILE", p.name},
                      {"LUCOMPAT_PROFILE_STATUS", name(p.status)},
                      {"LUCOMPAT_VMM_FEATURES", p.vmm_features}},
                     2) +
           "\n";
  const std::string features = joined(p.vmm_features, " ");
  if (format == "systemd")
    return fmt::format(
        "LUCOMPAT_PROFILE={}\nLUCOMPAT_PROFILE_STATUS={}\nLUCOMPAT_VMM_FEATURES={}\n",
        systemd_quote(p.name), systemd_quote(std::string(name(p.status))), systemd_quote(features));
  return fmt::format(
      "export LUCOMPAT_PROFILE={}\nexport LUCOMPAT_PROFILE_STATUS={}\nexport "
      "LUCOMPAT_VMM_FEATURES={}\n",
      shell_quote(p.name), shell_quote(std::string(name(p.status))), shell_quote(features));
}

}  // namespace lucompat
