#include "lucompat/base/printable.h"
#include "lucompat/report/fleet_report.h"

#include <fmt/format.h>

#include <algorithm>

namespace lucompat {
namespace {

using nlohmann::json;

json build_json(const StoredBuild& b) {
  return {{"id", b.id},
          {"release", b.facts.release},
          {"build_id", b.facts.build_id.empty() ? json(nullptr) : json(b.facts.build_id)},
          {"banner", b.facts.banner},
          {"has_table", b.facts.has_table},
          {"evidence", b.facts.evidence.empty() ? json(nullptr) : json(b.facts.evidence)},
          {"undecided", b.facts.undecided.empty() ? json(nullptr) : json(b.facts.undecided)}};
}

// The first line of status and baseline, counted the same way (a --where
// slice counts its own hosts and builds).
std::string fleet_line(size_t hosts, size_t builds) {
  return fmt::format("fleet: {} host{}, {} kernel build{} running or staged\n", hosts, hosts == 1 ? "" : "s",
                     builds, builds == 1 ? "" : "s");
}

std::string pair_label(const Baseline& base, const Blocker& b) {
  std::string out = build_label(base.builds.at(b.running));
  if (b.staged) out += " → " + build_label(base.builds.at(*b.staged));
  else out += " (nothing staged)";
  return out;
}

}  // namespace

// "#5" of "Linux version 6.1.192 (builder) (gcc ...) #5 SMP ...": builds of
// one release differ by it, and operators know their builds by it.
std::string build_number(std::string_view banner) {
  for (size_t at = banner.find(" #"); at != std::string_view::npos; at = banner.find(" #", at + 1)) {
    const size_t end = banner.find(' ', at + 1);
    const std::string_view token = banner.substr(at + 1, end == std::string_view::npos ? end : end - at - 1);
    if (token.size() > 1 && std::all_of(token.begin() + 1, token.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::string(token);
  }
  return {};
}

// "6.1.192 #5 x86_64 (build-id a27342e30dd6)"
std::string build_label(const StoredBuild& b) {
  const std::string id = b.facts.build_id.empty() ? "no build-id" : "build-id " + b.facts.build_id.substr(0, 12);
  std::string label = b.facts.release.empty() ? "?" : b.facts.release;
  if (const std::string n = build_number(b.facts.banner); !n.empty()) label += " " + n;
  if (!b.facts.arch.empty()) label += " " + b.facts.arch;
  return printable(fmt::format("{} ({})", label, id));
}

json baseline_json(const Baseline& base) {
  json profiles = json::array();
  for (const auto& p : base.profiles) {
    json blockers = json::array();
    for (const auto& b : p.blockers)
      blockers.push_back({{"running", build_json(base.builds.at(b.running))},
                          {"staged", b.staged ? build_json(base.builds.at(*b.staged)) : json(nullptr)},
                          {"hosts", b.hosts},
                          {"example_host", b.example},
                          {"reasons", b.reasons}});
    profiles.push_back({{"name", p.profile->name},
                        {"status", name(p.profile->status)},
                        {"viable", p.viable},
                        {"blocking_hosts", p.blocking_hosts},
                        {"blockers", std::move(blockers)}});
  }
  return {{"schema", "lucompat.fleet-baseline/1"},
          {"baseline", base.baseline ? json(base.baseline->name) : json(nullptr)},
          {"hosts", base.hosts},
          {"builds", base.kernel_builds},
          {"profiles", std::move(profiles)}};
}

std::string baseline_text(const Baseline& base) {
  std::string out = fleet_line(base.hosts, base.kernel_builds);
  if (base.hosts == 0 || base.profiles.empty())
    return out + (base.hosts == 0 ? "baseline: none: no hosts match\n" : "baseline: none: no profiles defined\n");
  out += base.baseline ? fmt::format("baseline: {}\n", base.baseline->name)
                       : std::string("baseline: none: no active profile is viable on every host\n");
  bool past = base.baseline == nullptr;
  for (const auto& p : base.profiles) {
    if (!past) {
      past = p.profile == base.baseline;
      continue;
    }
    out += fmt::format("\n{} ({}): {}\n", p.profile->name, name(p.profile->status),
                       p.viable ? "viable on every host"
                                : fmt::format("blocked by {} host{}", p.blocking_hosts, p.blocking_hosts == 1 ? "" : "s"));
    for (const auto& b : p.blockers) {
      out += fmt::format("  {}: {} host{} (e.g. {})\n", pair_label(base, b), b.hosts, b.hosts == 1 ? "" : "s", printable(b.example));
      for (const auto& r : b.reasons) out += fmt::format("      {}\n", r);
    }
  }
  return out;
}

json status_json(const FleetStatus& s) {
  json builds = json::array();
  for (const auto& [id, n] : s.per_build) {
    json b = build_json(s.builds.at(id));
    b["hosts"] = n;
    builds.push_back(std::move(b));
  }
  json profiles = json::object();
  for (const auto& [p, n] : s.per_profile) profiles[p] = n;
  json stale = json::array();
  for (const auto& h : s.stale) stale.push_back({{"host", h.name}, {"collected_at", h.collected_at}});
  return {{"schema", "lucompat.fleet-status/1"},
          {"hosts", s.hosts},
          {"kernel_builds", s.kernel_builds},
          {"builds", std::move(builds)},
          {"profiles", std::move(profiles)},
          {"stale", std::move(stale)}};
}

std::string status_text(const FleetStatus& s) {
  std::string out = fleet_line(s.hosts, s.kernel_builds) + "\nhosts per running kernel build:\n";
  for (const auto& [id, n] : s.per_build) {
    const KernelFacts& f = s.builds.at(id).facts;
    out += fmt::format("  {:>8}  {}", n, build_label(s.builds.at(id)));
    if (!f.evidence.empty()) out += "; evidence: " + printable(f.evidence);
    if (!f.undecided.empty()) out += "; UNDECIDED: " + printable(f.undecided);
    out += '\n';
  }
  out += "\nhosts per profile:\n";
  for (const auto& [p, n] : s.per_profile) out += fmt::format("  {:>8}  {}\n", n, printable(p));
  out += fmt::format("\nstale reports: {}\n", s.stale.size());
  for (const auto& h : s.stale)
    out += fmt::format("  {}  collected {}\n", printable(h.name), printable(h.collected_at));
  return out;
}

namespace {

std::string group_label(const Plan& plan, const PlanGroup& g) {
  std::string out = build_label(plan.builds.at(g.running));
  out += g.staged ? " → " + build_label(plan.builds.at(*g.staged)) : std::string(" (nothing staged)");
  if (!g.label.empty()) out += ", " + printable(plan.group_by + "=" + g.label);
  return out;
}

json group_json(const Plan& plan, const PlanGroup& g) {
  return {{"running", build_json(plan.builds.at(g.running))},
          {"staged", g.staged ? build_json(plan.builds.at(*g.staged)) : json(nullptr)},
          {"label", g.label.empty() ? json(nullptr) : json(g.label)},
          {"hosts", g.hosts},
          {"reasons", g.reasons}};
}

std::string some_hosts(const std::vector<std::string>& hosts) {
  std::string out;
  for (size_t i = 0; i < std::min<size_t>(hosts.size(), 3); ++i) out += (i ? ", " : "") + printable(hosts[i]);
  return hosts.size() > 3 ? out + ", ..." : out;
}

}  // namespace

json plan_json(const Plan& plan) {
  json blocked = json::array();
  for (const auto& g : plan.blocked_groups) blocked.push_back(group_json(plan, g));
  json waves = json::array();
  for (size_t i = 0; i < plan.waves.size(); ++i) {
    json groups = json::array();
    size_t hosts = 0;
    for (const auto& g : plan.waves[i]) {
      groups.push_back(group_json(plan, g));
      hosts += g.hosts.size();
    }
    waves.push_back({{"wave", i + 1}, {"hosts", hosts}, {"groups", std::move(groups)}});
  }
  return {{"schema", "lucompat.fleet-plan/1"},
          {"profile", plan.profile->name},
          {"ready", plan.ready},
          {"blocked", plan.blocked},
          {"blocked_builds", std::move(blocked)},
          {"waves", std::move(waves)}};
}

std::string plan_text(const Plan& plan) {
  std::string out = fmt::format("plan for profile {}: {} hosts ready, {} blocked\n", plan.profile->name,
                                plan.ready, plan.blocked);
  if (!plan.blocked_groups.empty()) out += "\nblocked:\n";
  for (const auto& g : plan.blocked_groups) {
    out += fmt::format("  {}: {} host{} ({})\n", group_label(plan, g), g.hosts.size(),
                       g.hosts.size() == 1 ? "" : "s", some_hosts(g.hosts));
    for (const auto& r : g.reasons) out += fmt::format("      {}\n", r);
  }
  for (size_t i = 0; i < plan.waves.size(); ++i) {
    size_t hosts = 0;
    for (const auto& g : plan.waves[i]) hosts += g.hosts.size();
    out += fmt::format("\nwave {}: {} host{}\n", i + 1, hosts, hosts == 1 ? "" : "s");
    for (const auto& g : plan.waves[i])
      out += fmt::format("  {}: {} ({})\n", group_label(plan, g), g.hosts.size(), some_hosts(g.hosts));
  }
  return out;
}

json ingest_json(const IngestSummary& s) {
  json rejected = json::array();
  for (const auto& e : s.rejected) rejected.push_back({{"where", e.input}, {"message", e.message}});
  return {{"schema", "lucompat.fleet-ingest/1"},
          {"applied", s.stats.applied},
          {"ignored", s.stats.ignored},
          {"batches", s.batches},
          {"rejected", std::move(rejected)}};
}

}  // namespace lucompat
