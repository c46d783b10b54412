// The flags that say which update is meant (the two kernels, their modules,
// the families in use, pins, catalogs, profiles), shared by `check` and
// `profile select` so both read an update the same way.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lucompat/check/update_check.h"

namespace lucompat::cli {

struct UpdateArgs {
  CheckRequest request;
  std::string root = "/";
  std::vector<std::string> uses;
  std::vector<std::string> pids;  // as given: "12 34" from pidof is one value
  bool json = false;
  bool verbose = false;                   // check text: the lines of compatible families too
  bool quiet = false;                     // check text: the verdict line alone
  std::optional<std::string> next_entry;  // --next-entry ID|default

  // Fills the parts of `request` that need post-processing (root, uses),
  // and resolves --next-entry as systemctl kexec would: the entry's kernel
  // and command line become the next kernel and its command line; its
  // initrd, if any, goes to `initrd`. One of --next and --next-entry must be
  // given (a usage error otherwise).
  Result<CheckRequest> finish(std::string* initrd = nullptr) const;
};

void add_update_options(CLI::App* sub, UpdateArgs& args);

// Runs the check and prints it as `lucompat check` does (JSON, or text with
// the colours --color asks for, every family's lines with -v); its exit code.
// `next_shown`: the next kernel's path to print instead of the one checked
// (kexec checks /proc/self/fd/N).
ExitCode check_and_print(const CheckRequest& request, const UpdateArgs& args,
                         const std::string& next_shown = {});

// -v and -q for the commands that print a check.
void add_detail_flags(CLI::App* sub, UpdateArgs& args);

// Prints an error (and its JSON document when asked) and returns its exit code.
ExitCode report_error(const Error& e, bool json, const nlohmann::json& doc);
// The same with the plain document, {"error": ...} (fleet, profile).
ExitCode report_error(const Error& e, bool json);

}  // namespace lucompat::cli
