// Renderers for `lucompat fleet`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "lucompat/fleet/fleet_queries.h"
#include "lucompat/fleet/ingest.h"

namespace lucompat {

// Schema "lucompat.fleet-baseline/1": the profile under "baseline".
nlohmann::json baseline_json(const Baseline& baseline);
std::string baseline_text(const Baseline& baseline);

// Schema "lucompat.fleet-status/1".
nlohmann::json status_json(const FleetStatus& status);
std::string status_text(const FleetStatus& status);

// Schema "lucompat.fleet-plan/1".
nlohmann::json plan_json(const Plan& plan);
std::string plan_text(const Plan& plan);

nlohmann::json ingest_json(const IngestSummary& summary);

// "6.1.192 (build-id eb4fbcd0…)" for humans.
std::string build_label(const StoredBuild& build);

}  // namespace lucompat
