// `lucompat check`: gathers the running and next kernels (images, modules),
// the families in use and the pins, and runs the policy on them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lucompat/host/system_root.h"
#include "lucompat/inspect/inspect.h"
#include "lucompat/policy/check.h"

namespace lucompat {

struct CheckRequest {
  std::string current = "running";  // "running" or an image path
  std::string next;                 // an image or a package
  std::optional<std::string> current_modules;
  std::optional<std::string> next_modules;
  bool no_modules = false;          // skip the /lib/modules/R defaults
  SystemRoot root;
  InspectOptions inspect;
  unsigned jobs = 0;
  std::vector<std::string> catalogs;  // --catalog files, after the shipped and /etc ones
  std::vector<std::string> uses;      // family names
  std::vector<int> pids;
  std::optional<std::string> manifest;
  std::vector<std::string> emits;     // "FAMILY=STRING"
  bool strict = false;
};

struct KernelSide {
  std::string path;          // the image
  std::string how;           // "running kernel, proven by /proc/version", "--next"
  Inspection kernel;
  std::string modules;       // where its module tables came from, or empty
  size_t module_count = 0;
  KernelStrings strings;     // kernel and module entries, with provenance
};

struct CheckOutcome {
  KernelSide current;
  KernelSide next;
  CheckReport report;
  std::vector<std::string> notes;  // what was deliberately left out, and why
};

Result<CheckOutcome> run_check(const CheckRequest& request);

// The exit code of a verdict: 0 compatible (warnings included), 1
// incompatible, 4 undecided.
ExitCode exit_code(Verdict v);

}  // namespace lucompat
