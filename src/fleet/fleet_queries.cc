#include "lucompat/fleet/fleet_queries.h"

#include <algorithm>

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

}  // namespace

Baseline fleet_baseline(const std::vector<HostGroup>& groups, const std::vector<StoredBuild>& builds,
                        const ProfileSet& profiles, const Catalog& catalog) {
  Baseline out;
  out.builds = by_id(builds);
  for (const auto& g : groups) out.hosts += g.hosts;
  for (const auto& p : profiles.profiles()) {
    if (p.status == ProfileStatus::retired) continue;
    FleetProfile fp{&p, true, 0, {}};
    for (const auto& g : groups) {
      const StoredBuild& running = out.builds.at(g.running);
      const StoredBuild& next = g.staged ? out.builds.at(*g.staged) : running;
      ProfileVerdict v = judge_profile(p, catalog, strings_of(running), strings_of(next), pins_of(g.emit));
      if (!running.facts.has_table)
        v.reasons.insert(v.reasons.begin(), "the running kernel has no live-update version table");
      else if (!next.facts.has_table)
        v.reasons.insert(v.reasons.begin(), "the staged kernel has no live-update version table");
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

FleetStatus fleet_status(const std::vector<StoredHost>& hosts, const std::vector<StoredBuild>& builds,
                         const std::string& stale_before) {
  FleetStatus out;
  out.builds = by_id(builds);
  out.hosts = hosts.size();
  std::map<int64_t, size_t> per_build;
  std::map<std::string, size_t> per_profile;
  for (const auto& h : hosts) {
    ++per_build[h.running];
    ++per_profile[h.profile.empty() ? "(none)" : h.profile];
    if (h.collected_at < stale_before) out.stale.push_back(h);
  }
  out.per_build.assign(per_build.begin(), per_build.end());
  std::stable_sort(out.per_build.begin(), out.per_build.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  out.per_profile.assign(per_profile.begin(), per_profile.end());
  return out;
}

}  // namespace lucompat
