#include "lucompat/fleet/fleet_queries.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <tuple>

namespace lucompat {
namespace {

std::map<int64_t, StoredBuild> by_id(const std::vector<StoredBuild>& builds) {
  std::map<int64_t, StoredBuild> out;
  for (const auto& b : builds) out[b.id] = b;
  return out;
}

KernelStrings strings_of(const StoredBuild& b) {
  KernelStrings k;
  for (const auto& s : b.facts.strings) k[s] = {b.facts.identity()};
  return k;
}

std::map<std::string, std::string> pins_of(const std::string& emit) {
  std::map<std::string, std::string> out;
  if (emit.empty()) return out;
  const auto j = nlohmann::json::parse(emit, nullptr, false);
  if (j.is_object())
    for (const auto& [k, v] : j.items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

// Rows with .running, .staged and a name for humans.
template <typename Row, typename Name>
Result<bool> references_known(const std::vector<StoredBuild>& builds, const std::vector<Row>& rows,
                              const std::string& store, Name name) {
  std::set<int64_t> known;
  for (const auto& b : builds) known.insert(b.id);
  for (const auto& r : rows)
    for (const auto id : {std::optional<int64_t>(r.running), r.staged})
      if (id && !known.contains(*id))
        return Error{ErrorKind::malformed, store, std::nullopt,
                     fmt::format("corrupt store: host {} refers to kernel build {}, which is not stored", name(r),
                                 *id)};
  return true;
}

}  // namespace

Result<bool> check_builds(const std::vector<StoredBuild>& builds, const std::vector<HostGroup>& groups,
                          const std::string& store) {
  return references_known(builds, groups, store, [](const HostGroup& g) { return g.example; });
}

Result<bool> check_builds(const std::vector<StoredBuild>& builds, const std::vector<StoredHost>& hosts,
                          const std::string& store) {
  return references_known(builds, hosts, store, [](const StoredHost& h) { return h.name; });
}

namespace {

// What stands in the way before any string is compared: a kernel without a
// table, or whose strings check would call undecided. The first one found
// heads the reasons: the rest rest on it.
void add_evidence_reasons(std::vector<std::string>& reasons, const StoredBuild& running, const StoredBuild& next) {
  const auto why = [](const StoredBuild& b, const char* which) -> std::string {
    if (!b.facts.has_table) return fmt::format("the {} kernel has no live-update version table", which);
    if (!b.facts.undecided.empty())
      return fmt::format("the {} kernel's strings cannot support a verdict: {}", which, b.facts.undecided);
    return {};
  };
  std::string first = why(running, "running");
  if (first.empty()) first = why(next, "staged");
  if (!first.empty()) reasons.insert(reasons.begin(), std::move(first));
}

}  // namespace

Baseline fleet_baseline(const std::vector<HostGroup>& groups, const std::vector<StoredBuild>& builds,
                        const ProfileSet& profiles, const Catalog& catalog) {
  Baseline out;
  out.builds = by_id(builds);
  for (const auto& g : groups) out.hosts += g.hosts;
  out.kernel_builds = builds_in_use(groups);
  for (const auto& p : profiles.profiles()) {
    if (p.status == ProfileStatus::retired) continue;
    // With no host selected, nothing is viable "on every host".
    FleetProfile fp{&p, !groups.empty(), 0, {}};
    for (const auto& g : groups) {
      const StoredBuild& running = out.builds.at(g.running);
      const StoredBuild& next = g.staged ? out.builds.at(*g.staged) : running;
      ProfileVerdict v = judge_profile(p, catalog, strings_of(running), strings_of(next), pins_of(g.emit));
      add_evidence_reasons(v.reasons, running, next);
      if (v.reasons.empty()) continue;
      fp.viable = false;
      fp.blocking_hosts += g.hosts;
      // One blocker per build pair: groups differing only in pins or profile merge.
      auto it = std::find_if(fp.blockers.begin(), fp.blockers.end(), [&](const Blocker& b) {
        return b.running == g.running && b.staged == g.staged && b.reasons == v.reasons;
      });
      if (it == fp.blockers.end()) {
        fp.blockers.push_back({g.running, g.staged, g.hosts, g.example, v.reasons});
      } else {
        it->hosts += g.hosts;
        it->example = std::min(it->example, g.example);
      }
    }
    std::stable_sort(fp.blockers.begin(), fp.blockers.end(),
                     [](const Blocker& a, const Blocker& b) { return a.hosts > b.hosts; });
    out.profiles.push_back(std::move(fp));
  }
  if (out.hosts > 0)
    for (auto it = out.profiles.rbegin(); it != out.profiles.rend(); ++it)
      if (it->viable && it->profile->status == ProfileStatus::active) {
        out.baseline = it->profile;
        break;
      }
  return out;
}

Plan fleet_plan(const Profile& profile, const std::vector<StoredHost>& hosts,
                const std::vector<StoredBuild>& builds, const Catalog& catalog, size_t waves,
                const std::string& group_label) {
  Plan plan;
  plan.profile = &profile;
  plan.group_by = group_label;
  plan.builds = by_id(builds);
  // One verdict per (running, staged, pins): the per-build economy.
  std::map<std::tuple<int64_t, int64_t, std::string>, std::vector<std::string>> verdicts;
  std::map<std::tuple<int64_t, int64_t, std::string>, PlanGroup> ready, blocked;
  for (const auto& h : hosts) {
    const auto key = std::make_tuple(h.running, h.staged.value_or(-1), h.emit);
    auto v = verdicts.find(key);
    if (v == verdicts.end()) {
      const StoredBuild& running = plan.builds.at(h.running);
      const StoredBuild& next = h.staged ? plan.builds.at(*h.staged) : running;
      ProfileVerdict pv = judge_profile(profile, catalog, strings_of(running), strings_of(next), pins_of(h.emit));
      add_evidence_reasons(pv.reasons, running, next);
      v = verdicts.emplace(key, std::move(pv.reasons)).first;
    }
    std::string label;
    if (!group_label.empty()) {
      const auto labels = nlohmann::json::parse(h.labels.empty() ? "{}" : h.labels, nullptr, false);
      if (labels.is_object() && labels.contains(group_label) && labels[group_label].is_string()) {
        label = labels[group_label].get<std::string>();
        plan.group_seen = true;
      }
    }
    auto& groups = v->second.empty() ? ready : blocked;
    const auto gkey = std::make_tuple(h.running, h.staged.value_or(-1), v->second.empty() ? label : std::string());
    PlanGroup& g = groups[gkey];
    if (g.hosts.empty()) g = PlanGroup{h.running, h.staged, v->second.empty() ? label : "", {}, v->second};
    g.hosts.push_back(h.name);
    (v->second.empty() ? plan.ready : plan.blocked) += 1;
  }
  for (auto& [k, g] : blocked) plan.blocked_groups.push_back(std::move(g));
  std::stable_sort(plan.blocked_groups.begin(), plan.blocked_groups.end(),
                   [](const PlanGroup& a, const PlanGroup& b) { return a.hosts.size() > b.hosts.size(); });
  // A wave takes whole bundles: every ready group of one --by value (a rack
  // is never split across waves, whatever builds its hosts run), or each
  // group alone without --by. Largest bundles first into the lightest wave.
  std::map<std::string, std::vector<PlanGroup>> by_value;
  std::vector<std::vector<PlanGroup>> bundles;
  for (auto& [k, g] : ready) {
    if (group_label.empty()) bundles.push_back({std::move(g)});
    else by_value[g.label].push_back(std::move(g));
  }
  for (auto& [value, groups] : by_value) bundles.push_back(std::move(groups));
  const auto hosts_in = [](const std::vector<PlanGroup>& b) {
    size_t n = 0;
    for (const auto& g : b) n += g.hosts.size();
    return n;
  };
  std::stable_sort(bundles.begin(), bundles.end(),
                   [&](const auto& a, const auto& b) { return hosts_in(a) > hosts_in(b); });
  plan.waves.resize(std::max<size_t>(1, std::min(waves, std::max<size_t>(bundles.size(), 1))));
  std::vector<size_t> load(plan.waves.size(), 0);
  for (auto& bundle : bundles) {
    const size_t w = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[w] += hosts_in(bundle);
    for (auto& g : bundle) plan.waves[w].push_back(std::move(g));
  }
  std::erase_if(plan.waves, [](const auto& w) { return w.empty(); });
  return plan;
}

FleetStatus fleet_status(const std::vector<StoredHost>& hosts, const std::vector<StoredBuild>& builds,
                         UtcTime stale_before) {
  FleetStatus out;
  out.builds = by_id(builds);
  out.hosts = hosts.size();
  out.kernel_builds = builds_in_use(hosts);
  std::map<int64_t, size_t> per_build;
  std::map<std::string, size_t> per_profile;
  for (const auto& h : hosts) {
    ++per_build[h.running];
    ++per_profile[h.profile.empty() ? "(none)" : h.profile];
    if (h.collected < stale_before) out.stale.push_back(h);
  }
  out.per_build.assign(per_build.begin(), per_build.end());
  std::stable_sort(out.per_build.begin(), out.per_build.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  out.per_profile.assign(per_profile.begin(), per_profile.end());
  return out;
}

}  // namespace lucompat
