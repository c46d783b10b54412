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

std::map<std::string, std::string> pins_of(std::string_view emit) {
  std::map<std::string, std::string> out;
  if (emit.empty()) return out;
  const auto j = nlohmann::json::parse(emit, nullptr, false);
  if (j.is_object())
    for (const auto& [k, v] : j.items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

// A build a host refers to: a store edited by hand may refer to one it does
// not hold.
Result<const StoredBuild*> build_of(const std::map<int64_t, StoredBuild>& builds, int64_t id,
                                    std::string_view host, const std::string& store) {
  if (auto it = builds.find(id); it != builds.end()) return &it->second;
  return Error{ErrorKind::malformed, store, std::nullopt,
               fmt::format("corrupt store: host {} refers to kernel build {}, which is not stored",
                           host, id)};
}

// The running and the next build of a host: its staged one, else the running.
Result<std::pair<const StoredBuild*, const StoredBuild*>> update_of(
    const std::map<int64_t, StoredBuild>& builds, int64_t running, std::optional<int64_t> staged,
    std::string_view host, const std::string& store) {
  LUCOMPAT_TRY(from, build_of(builds, running, host, store));
  if (!staged) return std::make_pair(*from, *from);
  LUCOMPAT_TRY(to, build_of(builds, *staged, host, store));
  return std::make_pair(*from, *to);
}

}  // namespace

Result<void> check_builds(const std::vector<StoredBuild>& builds,
                          const std::vector<HostGroup>& groups, const std::string& store) {
  const auto known = by_id(builds);
  for (const auto& g : groups)
    LUCOMPAT_CHECK(update_of(known, g.running, g.staged, g.example, store));
  return {};
}

namespace {

// What stands in the way before any string is compared: a staged kernel
// of another (or an unknown) architecture, which check refuses, a kernel
// without a table, or one whose strings check would call undecided. The
// first one found heads the reasons: the rest rest on it.
void add_evidence_reasons(std::vector<Reason>& reasons, const StoredBuild& running,
                          const StoredBuild& next) {
  // arch names the byte order too (arm64be); with nothing staged the next
  // kernel is the running one, and no kexec crosses anything.
  if (&running != &next && (running.facts.arch.empty() || running.facts.arch != next.facts.arch)) {
    reasons.insert(reasons.begin(), Reason{.code = ReasonCode::kernel_architectures_differ,
                                           .running = {running.facts.arch},
                                           .next = {next.facts.arch}});
    return;
  }
  const auto why = [](const StoredBuild& b, KernelRole role) -> std::optional<Reason> {
    if (!b.facts.has_version_set)
      return Reason{.code = ReasonCode::kernel_without_table, .kernel = role};
    if (!b.facts.undecided.empty())
      return Reason{
          .code = ReasonCode::kernel_undecided, .kernel = role, .detail = b.facts.undecided};
    return std::nullopt;
  };
  std::optional<Reason> first = why(running, KernelRole::running);
  if (!first) first = why(next, KernelRole::next);
  if (first) reasons.insert(reasons.begin(), std::move(*first));
}

// What stands between a host's running and next build and the profile.
std::vector<Reason> reasons_against(const Profile& profile, const Catalog& catalog,
                                    const StoredBuild& running, const StoredBuild& next,
                                    std::string_view emit) {
  ProfileVerdict v =
      judge_profile(profile, catalog, strings_of(running), strings_of(next), pins_of(emit));
  add_evidence_reasons(v.reasons, running, next);
  return std::move(v.reasons);
}

// The first `keep` of a group's names, in order. Names come in the store's
// order, so they are cut back now and then rather than kept all.
void keep_first(std::vector<std::string>& names, size_t keep) {
  if (names.size() <= keep) return std::sort(names.begin(), names.end());
  std::partial_sort(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(keep), names.end());
  names.resize(keep);
}

}  // namespace

Baseline fleet_baseline(const std::vector<HostGroup>& groups,
                        const std::vector<StoredBuild>& builds, const ProfileSet& profiles,
                        const Catalog& catalog) {
  Baseline out;
  out.builds = by_id(builds);
  BuildsInUse in_use;
  for (const auto& g : groups) {
    out.hosts += g.hosts;
    in_use.add(g.running, g.staged);
  }
  out.kernel_builds = in_use.count();
  for (const auto& p : profiles.profiles()) {
    if (p.status == ProfileStatus::retired) continue;
    // With no host selected, nothing is viable "on every host".
    FleetProfile fp{&p, !groups.empty(), 0, {}};
    for (const auto& g : groups) {
      const StoredBuild& running = out.builds.at(g.running);
      std::vector<Reason> reasons = reasons_against(
          p, catalog, running, g.staged ? out.builds.at(*g.staged) : running, g.emit);
      if (reasons.empty()) continue;
      fp.viable = false;
      fp.blocking_hosts += g.hosts;
      // One blocker per build pair: groups differing only in pins merge.
      auto it = std::find_if(fp.blockers.begin(), fp.blockers.end(), [&](const Blocker& b) {
        return b.running == g.running && b.staged == g.staged && b.reasons == reasons;
      });
      if (it == fp.blockers.end()) {
        fp.blockers.push_back({g.running, g.staged, g.hosts, g.example, std::move(reasons)});
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

namespace {

using Key = std::tuple<int64_t, int64_t, std::string>;
using KeyView = std::tuple<int64_t, int64_t, std::string_view>;

// Keys and their views compare as views, so a lookup builds no string.
// (std::less<> would compare tuple<string> with tuple<string_view>, which
// clang with libstdc++ 12 does not compile.)
struct KeyLess {
  using is_transparent = void;
  static KeyView view(const Key& k) { return {std::get<0>(k), std::get<1>(k), std::get<2>(k)}; }
  static KeyView view(const KeyView& k) { return k; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return view(a) < view(b);
  }
};

// Hosts of one verdict, build pair and label value, as the plan gathers them.
struct Gathered {
  PlanGroup group;
  std::string first;  // its first host by name, whose reasons a blocked group gives
};

// The ready groups into at most request.waves waves of plan.
void pack_waves(std::map<Key, Gathered, KeyLess>& ready, const PlanRequest& request, Plan& plan) {
  // A wave takes whole bundles: every ready group of one --by value (a rack
  // is never split across waves, whatever builds its hosts run), or each
  // group alone without --by. Largest bundles first into the lightest wave.
  std::map<std::string, std::vector<PlanGroup>> by_value;
  std::vector<std::vector<PlanGroup>> bundles;
  for (auto& [k, g] : ready) {
    keep_first(g.group.names, request.names);
    if (request.group_label.empty())
      bundles.push_back({std::move(g.group)});
    else
      by_value[g.group.label].push_back(std::move(g.group));
  }
  for (auto& [value, groups] : by_value) bundles.push_back(std::move(groups));
  const auto hosts_in = [](const std::vector<PlanGroup>& b) {
    size_t n = 0;
    for (const auto& g : b) n += g.hosts;
    return n;
  };
  std::stable_sort(bundles.begin(), bundles.end(),
                   [&](const auto& a, const auto& b) { return hosts_in(a) > hosts_in(b); });
  plan.waves.resize(
      std::max<size_t>(1, std::min(request.waves, std::max<size_t>(bundles.size(), 1))));
  std::vector<size_t> load(plan.waves.size(), 0);
  for (auto& bundle : bundles) {
    const size_t w = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[w] += hosts_in(bundle);
    for (auto& g : bundle) plan.waves[w].push_back(std::move(g));
  }
  std::erase_if(plan.waves, [](const auto& w) { return w.empty(); });
}

}  // namespace

Result<Plan> fleet_plan(Store& store, const PlanRequest& request,
                        const std::vector<StoredBuild>& builds, const Catalog& catalog) {
  Plan plan;
  plan.profile = request.profile;
  plan.group_by = request.group_label;
  plan.builds = by_id(builds);
  // One verdict per (running, staged, pins): the per-build economy. Groups
  // are keyed by builds and the label's value (blocked ones by builds alone);
  // a host with nothing staged has staged -1.
  std::map<Key, std::vector<Reason>, KeyLess> verdicts;
  std::map<Key, Gathered, KeyLess> ready, blocked;
  const HostQuery query{request.where, request.group_label, false};
  const auto add_host = [&](const HostRow& h) -> Result<void> {
    const int64_t staged = h.staged.value_or(-1);
    auto v = verdicts.find(KeyView(h.running, staged, h.emit));
    if (v == verdicts.end()) {
      LUCOMPAT_TRY(update, update_of(plan.builds, h.running, h.staged, h.name, store.name()));
      auto reasons =
          reasons_against(*request.profile, catalog, *update->first, *update->second, h.emit);
      v = verdicts.emplace(Key(h.running, staged, h.emit), std::move(reasons)).first;
    }
    const bool ready_host = v->second.empty();
    if (h.label) plan.group_seen = true;
    const std::string_view label = ready_host && h.label ? *h.label : std::string_view();
    auto& groups = ready_host ? ready : blocked;
    auto g = groups.find(KeyView(h.running, staged, label));
    if (g == groups.end())
      g = groups
              .emplace(Key(h.running, staged, label),
                       Gathered{PlanGroup{h.running, h.staged, std::string(label), 0, {}, {}}, {}})
              .first;
    Gathered& gathered = g->second;
    if (gathered.group.hosts++ == 0 || h.name < gathered.first) {
      gathered.first = h.name;
      if (!ready_host) gathered.group.reasons = v->second;
    }
    std::vector<std::string>& names = gathered.group.names;
    names.emplace_back(h.name);
    if (names.size() / 2 > request.names) keep_first(names, request.names);
    (ready_host ? plan.ready : plan.blocked) += 1;
    return {};
  };
  LUCOMPAT_CHECK(store.hosts(query, add_host));
  for (auto& [k, g] : blocked) {
    keep_first(g.group.names, request.names);
    plan.blocked_groups.push_back(std::move(g.group));
  }
  std::stable_sort(plan.blocked_groups.begin(), plan.blocked_groups.end(),
                   [](const PlanGroup& a, const PlanGroup& b) { return a.hosts > b.hosts; });
  pack_waves(ready, request, plan);
  return plan;
}

namespace {

// lucompat said go and the kernel lost the sessions, or said no and the
// kernel handed them over: either is a fault of lucompat's to look at.
bool disagree(std::string_view predicted, std::string_view outcome) {
  const bool lost = outcome == "sessions_lost" || outcome == "handover_ignored";
  return (predicted == "compatible" && lost) ||
         (predicted == "incompatible" && outcome == "handed_over");
}

}  // namespace

Result<FleetStatus> fleet_status(Store& store, const std::vector<LabelFilter>& where,
                                 const std::vector<StoredBuild>& builds, UtcTime stale_before) {
  FleetStatus out;
  out.builds = by_id(builds);
  BuildsInUse in_use;
  std::map<int64_t, size_t> per_build;
  std::map<std::string, size_t, std::less<>> per_profile;
  const auto count_host = [&](const HostRow& h) -> Result<void> {
    LUCOMPAT_CHECK(update_of(out.builds, h.running, h.staged, h.name, store.name()));
    ++out.hosts;
    in_use.add(h.running, h.staged);
    ++per_build[h.running];
    const std::string_view profile = h.profile.empty() ? "(none)" : h.profile;
    auto p = per_profile.find(profile);
    if (p == per_profile.end()) p = per_profile.emplace(profile, 0).first;
    ++p->second;
    if (h.collected < stale_before) ++out.stale;
    if (!h.staged_verdict.empty()) ++out.staged_verdicts[std::string(h.staged_verdict)];
    if (!h.outcome.empty()) {
      ++out.live_updates[{std::string(h.predicted), std::string(h.outcome)}];
      if (disagree(h.predicted, h.outcome)) {
        ++out.disagreements;
        // The first names only, in order: a million hosts may disagree.
        auto& kept = out.disagreeing;
        const auto at =
            std::upper_bound(kept.begin(), kept.end(), h.name,
                             [](std::string_view name, const auto& d) { return name < d.host; });
        if (kept.size() < FleetStatus::kMaxDisagreements || at != kept.end()) {
          kept.insert(at, {std::string(h.name), std::string(h.predicted), std::string(h.outcome)});
          if (kept.size() > FleetStatus::kMaxDisagreements) kept.pop_back();
        }
      }
    }
    return {};
  };
  LUCOMPAT_CHECK(store.hosts({where, {}, false}, count_host));
  out.kernel_builds = in_use.count();
  out.per_build.assign(per_build.begin(), per_build.end());
  std::stable_sort(out.per_build.begin(), out.per_build.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  out.per_profile.assign(per_profile.begin(), per_profile.end());
  out.each_stale = [&store, where, stale_before](const std::function<void(const HostRow&)>& each) {
    return store.hosts({where, {}, true}, [&](const HostRow& h) -> Result<void> {
      if (h.collected < stale_before) each(h);
      return {};
    });
  };
  return out;
}

}  // namespace lucompat
