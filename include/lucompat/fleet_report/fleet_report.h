// Renderers for `lucompat fleet`.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "lucompat/fleet/fleet_queries.h"
#include "lucompat/fleet/ingest.h"

namespace lucompat {

// Schema "lucompat.fleet-baseline/2": the profile under "baseline".
nlohmann::json baseline_json(const Baseline& baseline);
std::string baseline_text(const Baseline& baseline);

// Schema "lucompat.fleet-status/2". Written as the stale hosts are read, not
// returned: every host of a million may be one. A failure to read them ends
// the output where it stands.
Result<void> write_status_json(const FleetStatus& status, std::FILE* out);
Result<void> write_status_text(const FleetStatus& status, std::FILE* out);

// Schema "lucompat.fleet-plan/2", which lists every host of every group,
// written a group at a time.
void write_plan_json(const Plan& plan, std::FILE* out);
// The text names a few hosts of each group, as many as this.
inline constexpr size_t kPlanTextNames = 3;
// `colour`: ANSI colours on the hosts ready and blocked.
std::string plan_text(const Plan& plan, bool colour = false);

nlohmann::json ingest_json(const IngestSummary& summary);

// "6.1.192 (build-id eb4fbcd0…)" for humans.
std::string build_label(const StoredBuild& build);

}  // namespace lucompat
