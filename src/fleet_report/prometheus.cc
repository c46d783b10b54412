#include "lucompat/fleet_report/prometheus.h"

#include <fmt/format.h>

#include "lucompat/base/printable.h"

namespace lucompat {
namespace {

// Label values escape backslash, double quote and newline; nothing else
// (the exposition format's rule). Any other control character, an ANSI
// escape and a byte that is not UTF-8 (which the format cannot hold) become
// the text printable() makes of them ("\x1b"), whose backslash the format
// then escapes: a scrape or a terminal never receives the raw byte.
std::string label_value(std::string_view v) {
  std::string out;
  for (size_t line = 0;; ++line) {
    const size_t nl = v.find('\n');
    if (line > 0) out += "\\n";
    for (const char c : printable(v.substr(0, nl))) {
      if (c == '\\')
        out += "\\\\";
      else if (c == '"')
        out += "\\\"";
      else
        out += c;
    }
    if (nl == std::string_view::npos) return out;
    v.remove_prefix(nl + 1);
  }
}

// One sample per value `key` may take, 1 for `current` and 0 for the
// others: an alert compares values, not numbers.
template <typename Value, size_t N, typename Spell>
void one_hot(PrometheusText& p, const std::string& name, PrometheusText::Labels labels,
             const std::string& key, const Value (&values)[N], Value current, Spell spell) {
  labels.emplace_back(key, "");
  for (const Value v : values) {
    labels.back().second = std::string(spell(v));
    p.sample(name, labels, v == current ? 1 : 0);
  }
}

constexpr Verdict kVerdicts[] = {Verdict::compatible, Verdict::warning, Verdict::undecided,
                                 Verdict::incompatible};

void kernel_samples(PrometheusText& p, const HostReport& r) {
  p.family("lucompat_kernel_info", "gauge",
           "A kernel of this host: 1, with its release and build-id as labels");
  std::vector<std::pair<std::string, const KernelFacts*>> kernels{{"running", &r.running}};
  if (r.staged) kernels.emplace_back("staged", &*r.staged);
  for (const auto& [role, k] : kernels)
    p.sample("lucompat_kernel_info",
             {{"host", r.host},
              {"kernel", role},
              {"release", k->release},
              {"build_id", k->build_id},
              {"arch", k->arch}},
             1);
  p.family("lucompat_kernel_has_table", "gauge",
           "1 when lucompat found the kernel's live-update version set, 0 when it has none");
  for (const auto& [role, k] : kernels)
    p.sample("lucompat_kernel_has_table", {{"host", r.host}, {"kernel", role}},
             k->has_version_set ? 1 : 0);
  p.family("lucompat_kernel_compatible_strings", "gauge",
           "Compatible strings the kernel and its modules understand");
  for (const auto& [role, k] : kernels)
    p.sample("lucompat_kernel_compatible_strings", {{"host", r.host}, {"kernel", role}},
             static_cast<double>(k->strings.size()));
}

}  // namespace

void PrometheusText::family(const std::string& name, const std::string& type,
                            const std::string& help) {
  out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void PrometheusText::sample(const std::string& name, const Labels& labels, double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (size_t i = 0; i < labels.size(); ++i)
      out_ +=
          fmt::format("{}{}=\"{}\"", i ? "," : "", labels[i].first, label_value(labels[i].second));
    out_ += '}';
  }
  out_ += fmt::format(" {}\n", value);
}

std::string report_prometheus(const HostReport& r, const std::optional<CheckReport>& update) {
  PrometheusText p;
  kernel_samples(p, r);
  if (update && r.staged) {
    p.family("lucompat_update_verdict", "gauge",
             "lucompat check of the running kernel against the staged one: 1 for the verdict it "
             "gave, 0 for the others");
    one_hot(p, "lucompat_update_verdict",
            {{"host", r.host},
             {"staged_release", r.staged->release},
             {"staged_build_id", r.staged->build_id}},
            "verdict", kVerdicts, update->verdict, [](Verdict v) { return name(v); });
  }
  if (r.live_update) {
    p.family("lucompat_live_update_outcome", "gauge",
             "What the live update that booted the running kernel did, from its log: 1 for its "
             "outcome, 0 for the others");
    one_hot(p, "lucompat_live_update_outcome",
            {{"host", r.host}, {"previous_release", r.live_update->previous_release.value_or("")}},
            "outcome", kLiveUpdateResults, r.live_update->result,
            [](LiveUpdateResult o) { return result_name(o); });
  }
  if (r.installed_check) {
    p.family("lucompat_installed_check", "gauge",
             "The verdict kernel-install's plugin recorded for the default boot entry: 1, with "
             "whether it was made against the running kernel");
    p.sample("lucompat_installed_check",
             {{"host", r.host},
              {"entry", r.installed_check->entry},
              {"verdict", r.installed_check->verdict},
              {"against_running", r.installed_check->against_running ? "true" : "false"}},
             1);
  }
  if (!r.profile.empty()) {
    p.family("lucompat_host_profile", "gauge", "The profile this host runs with (host.toml)");
    p.sample("lucompat_host_profile", {{"host", r.host}, {"profile", r.profile}}, 1);
  }
  return p.text();
}

std::string status_prometheus(const FleetStatus& s) {
  PrometheusText p;
  p.family("lucompat_fleet_hosts", "gauge", "Hosts in the store (in the --where slice)");
  p.sample("lucompat_fleet_hosts", {}, static_cast<double>(s.hosts));
  p.family("lucompat_fleet_hosts_per_build", "gauge", "Hosts per running kernel build");
  for (const auto& [id, n] : s.per_build) {
    const KernelFacts& k = s.builds.at(id).facts;
    p.sample("lucompat_fleet_hosts_per_build",
             {{"release", k.release}, {"build_id", k.build_id}, {"arch", k.arch}},
             static_cast<double>(n));
  }
  p.family("lucompat_fleet_hosts_per_profile", "gauge", "Hosts per profile they report");
  for (const auto& [profile, n] : s.per_profile)
    p.sample("lucompat_fleet_hosts_per_profile", {{"profile", profile}}, static_cast<double>(n));
  p.family("lucompat_fleet_stale_reports", "gauge",
           "Hosts whose newest report is older than --stale");
  p.sample("lucompat_fleet_stale_reports", {}, static_cast<double>(s.stale));
  // Not the lucompat_live_update_total: it counts hosts now, which
  // goes down as well as up, so it is a gauge, and promtool refuses _total
  // on a gauge.
  p.family("lucompat_fleet_staged_verdicts", "gauge",
           "Hosts by the verdict kernel-install recorded for the boot entry they would boot next");
  for (const auto& [verdict, n] : s.staged_verdicts)
    p.sample("lucompat_fleet_staged_verdicts", {{"verdict", verdict}}, static_cast<double>(n));
  p.family("lucompat_fleet_live_updates", "gauge",
           "Hosts by the verdict predicted for the live update that booted them and what the "
           "kernel did");
  for (const auto& [pair, n] : s.live_updates)
    p.sample("lucompat_fleet_live_updates", {{"predicted", pair.first}, {"outcome", pair.second}},
             static_cast<double>(n));
  p.family("lucompat_fleet_live_update_disagreements", "gauge",
           "Hosts where the prediction and the kernel disagree: compatible but sessions lost, or "
           "incompatible but handed over");
  p.sample("lucompat_fleet_live_update_disagreements", {}, static_cast<double>(s.disagreements));
  return p.text();
}

}  // namespace lucompat
