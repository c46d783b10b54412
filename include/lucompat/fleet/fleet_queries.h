// Fleet questions answered per kernel build, not per host: which profile can
// the whole fleet move to, which hosts block the newer ones and why, and how
// the fleet stands. Hosts are read once, as a stream, into per-build
// aggregates: a million hosts cost little more than their builds, in time and
// in memory.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lucompat/fleet/store.h"
#include "lucompat/policy/profile.h"

namespace lucompat {

struct Blocker {
  int64_t running = 0;
  std::optional<int64_t> staged;
  size_t hosts = 0;
  std::string example;
  std::vector<Reason> reasons;
};

struct FleetProfile {
  const Profile* profile = nullptr;
  bool viable = false;  // on every selected host
  size_t blocking_hosts = 0;
  std::vector<Blocker> blockers;  // most hosts first
};

// How every fleet command counts kernel builds: those the selected hosts run
// or have staged, so a --where slice counts its own.
class BuildsInUse {
 public:
  void add(int64_t running, std::optional<int64_t> staged) {
    ids_.insert(running);
    if (staged) ids_.insert(*staged);
  }
  size_t count() const { return ids_.size(); }

 private:
  std::set<int64_t> ids_;
};

struct Baseline {
  size_t hosts = 0;
  size_t kernel_builds = 0;  // BuildsInUse of the selected hosts
  std::map<int64_t, StoredBuild> builds;
  const Profile* baseline = nullptr;   // newest active profile viable on every host
  std::vector<FleetProfile> profiles;  // every profile not retired, oldest first
};

// Each host's update is running -> staged; a host with nothing staged must
// support the profile on its running kernel.
Baseline fleet_baseline(const std::vector<HostGroup>& groups,
                        const std::vector<StoredBuild>& builds, const ProfileSet& profiles,
                        const Catalog& catalog);

// A rollout of one profile: blocked hosts first, grouped by build pair with
// the reasons; ready hosts in waves of whole groups (same builds, same value
// of the grouping label), balanced by host count.
struct PlanGroup {
  int64_t running = 0;
  std::optional<int64_t> staged;
  std::string label;  // the grouping label's value, or empty
  size_t hosts = 0;
  std::vector<std::string> names;  // the first hosts by name, as many as the plan keeps
  std::vector<Reason> reasons;     // blocked groups only
};

struct Plan {
  const Profile* profile = nullptr;
  std::string group_by;     // the --by label, or empty
  bool group_seen = false;  // some host has the --by label
  std::map<int64_t, StoredBuild> builds;
  size_t ready = 0;
  size_t blocked = 0;
  std::vector<PlanGroup> blocked_groups;      // most hosts first
  std::vector<std::vector<PlanGroup>> waves;  // each wave's groups
};

struct PlanRequest {
  const Profile* profile = nullptr;
  std::vector<LabelFilter> where;
  size_t waves = 1;
  std::string group_label;  // --by, or empty
  // Host names each group keeps, the first by name: all for a JSON plan,
  // which lists them, a few for a text one.
  size_t names = 0;
};

Result<Plan> fleet_plan(Store& store, const PlanRequest& request,
                        const std::vector<StoredBuild>& builds, const Catalog& catalog);

struct FleetStatus {
  size_t hosts = 0;
  size_t kernel_builds = 0;  // BuildsInUse of the selected hosts
  std::map<int64_t, StoredBuild> builds;
  std::vector<std::pair<int64_t, size_t>> per_build;        // running build -> hosts, most first
  std::vector<std::pair<std::string, size_t>> per_profile;  // reported profile -> hosts
  size_t stale = 0;                                         // collected before the cutoff
  // Hosts whose report says what the live update that booted them did, by
  // (predicted verdict, outcome); predicted is empty when nothing was.
  std::map<std::pair<std::string, std::string>, size_t> live_updates;
  // Hosts by the verdict kernel-install recorded for the entry they would
  // boot next (against the kernel they run); hosts with none are not counted.
  std::map<std::string, size_t> staged_verdicts;
  // Hosts where the prediction and the kernel disagree: a compatible verdict
  // and lost sessions, or an incompatible one and sessions handed over. The
  // first kMaxDisagreements by name; `disagreements` counts them all.
  struct Disagreement {
    std::string host, predicted, outcome;
  };
  std::vector<Disagreement> disagreeing;
  size_t disagreements = 0;
  static constexpr size_t kMaxDisagreements = 100;
  // Passes the stale hosts to `each` in name order, read again from the
  // store rather than held: every host of a million may be stale.
  std::function<Result<void>(const std::function<void(const HostRow&)>& each)> each_stale;
};

// The store must outlive the status: each_stale reads it.
Result<FleetStatus> fleet_status(Store& store, const std::vector<LabelFilter>& where,
                                 const std::vector<StoredBuild>& builds, UtcTime stale_before);

// Every build a group refers to must be stored: a store edited by hand may
// refer to one that is not, and the queries look each one up.
Result<void> check_builds(const std::vector<StoredBuild>& builds,
                          const std::vector<HostGroup>& groups, const std::string& store);

}  // namespace lucompat
