// The Prometheus text exposition format (version 0.0.4): node_exporter's
// textfile collector reads a host's file, a scrape reads the fleet's.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lucompat/fleet/fleet_queries.h"
#include "lucompat/fleet/host_report.h"
#include "lucompat/policy/check.h"

namespace lucompat {

// Metric families with their HELP and TYPE lines, label values escaped.
class PrometheusText {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;
  void family(const std::string& name, const std::string& type, const std::string& help);
  void sample(const std::string& name, const Labels& labels, double value);
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

// This host: its kernels, and the verdict of running -> staged when a
// staged kernel was checked (every verdict as a 0/1 stateset sample).
std::string report_prometheus(const HostReport& report, const std::optional<CheckReport>& update);

// The fleet, for a scrape: hosts in all, per running build, per profile, stale.
std::string status_prometheus(const FleetStatus& status);

}  // namespace lucompat
