// Making this host's report: the running (or --current) kernel with its
// modules, the staged next kernel if any, and the profile from host.toml.
#pragma once

#include <string>
#include <vector>

#include "lucompat/check/update_check.h"
#include "lucompat/fleet/host_report.h"

namespace lucompat {

struct ReportRequest {
  CheckRequest kernels;             // current, next (optional), modules, root, catalogs, profiles
  std::string host;                 // empty: the host name of the root
  std::vector<std::string> labels;  // "KEY=VALUE"
};

Result<HostReport> collect_report(const ReportRequest& request);

}  // namespace lucompat
