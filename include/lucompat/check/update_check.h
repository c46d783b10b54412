// `lucompat check`: gathers the running and next kernels (images, modules),
// the families in use and the pins, and runs the policy on them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lucompat/host/system_root.h"
#include "lucompat/host/usage.h"
#include "lucompat/inspect/inspect.h"
#include "lucompat/policy/check.h"
#include "lucompat/policy/profile.h"

namespace lucompat {

struct CheckRequest {
  std::string current = "running";  // "running" or an image path
  std::string next;                 // an image or a package
  std::optional<std::string> current_modules;
  std::optional<std::string> next_modules;
  bool no_modules = false;  // skip the /lib/modules/R defaults
  SystemRoot root;
  InspectOptions inspect;
  unsigned jobs = 0;
  std::vector<std::string> catalogs;  // --catalog files, after the shipped and /etc ones
  std::vector<std::string> uses;      // family names
  std::vector<int> pids;
  std::vector<std::string> processes;  // names: every process whose comm is this
  std::optional<std::string> manifest;
  std::vector<std::string> emits;  // "FAMILY=STRING"
  bool strict = false;
  // A kernel whose strings rest only on a byte scan (no symbols) is judged
  // only when the operator says so; otherwise the verdict is undecided.
  bool trust_scan = false;
  // The next kernel's command line: what kexec will pass (--append,
  // --reuse-cmdline) or what check --next-cmdline states; nullopt: unknown.
  std::optional<std::string> next_cmdline;
  std::vector<std::string> profile_files;  // --profiles, after /etc/lucompat/profiles.d
  std::optional<std::string> profile;      // --profile; else host.toml's, if any
  // How the next kernel was chosen when not named (--next-entry): a note.
  std::string next_from;
};

struct KernelSide {
  std::string path;   // the image
  std::string how;    // "the running kernel, proven by /proc/version", "--next"
  bool live = false;  // read from the running kernel's memory (inspect --running)
  Inspection kernel;
  std::string modules;  // where its module tables came from, or empty
  size_t module_count = 0;
  KernelStrings strings;  // kernel and module entries, with provenance
};

// Everything an update decision reads, loaded and validated once.
struct UpdateInputs {
  Catalog catalog;
  ProfileSet profiles;
  CheckPolicy policy;           // from flags, manifest and host.toml; no profile applied yet
  std::string host_profile;     // host.toml's profile, if any
  std::string host_profile_at;  // its position
  KernelSide current;
  KernelSide next;
  std::vector<std::string> notes;       // what was deliberately left out, and why
  std::optional<std::string> no_table;  // set when a kernel has no table: nothing can be proven
  std::optional<Reason> undecided;      // the same as a code (kernel_undecided)
};

struct CheckOutcome {
  KernelSide current;
  KernelSide next;
  CheckReport report;
  std::vector<std::string> notes;
  std::string profile;  // the profile applied, and from where; empty if none
  // Set when a kernel has no table, so no family was checked: why, in words
  // that stand for the summary.
  std::optional<std::string> no_table;
};

// Why a kernel's evidence cannot support a verdict, in words and as a cause.
struct EvidenceGap {
  UndecidedCause cause;
  std::string detail;
};

// The catalog: the shipped one, then /etc/lucompat/catalog.d/*.toml, then `files`.
Result<Catalog> load_catalog(const SystemRoot& root, const std::vector<std::string>& files);
// Profiles: /etc/lucompat/profiles.d/*.toml in name order, then `files`.
Result<ProfileSet> load_profiles(const SystemRoot& root, const std::vector<std::string>& files,
                                 const Catalog& catalog);

Result<UpdateInputs> load_update(const CheckRequest& request);

// What check concludes of two kernels once they are read (modules joined):
// whether their evidence can support a verdict at all (`no_table`), and what
// is known of them beyond their strings (LUO, command lines, the families a
// live reading's sessions preserve) into `policy`. load_update ends with it;
// the fuzzers' verdict oracle runs it on kernels built in memory.
Result<void> assess_update(UpdateInputs& inputs, const CheckRequest& request);

// The report of assessed inputs under `policy` (theirs, a profile applied):
// undecided when their evidence cannot support a verdict, unless what was
// read proves the update incompatible already.
CheckReport decide_update(const UpdateInputs& inputs, const CheckPolicy& policy);

// A kernel read from `path`: its strings are those it declares, each from
// `source` ("kernel PATH", "running kernel").
KernelSide kernel_side(std::string path, std::string how, Inspection kernel,
                       const std::string& source);

// One kernel on its own (an image, or a package with its modules), with its
// strings: for the build gate, which needs no running kernel.
Result<KernelSide> load_kernel(const std::string& path, const CheckRequest& request);

// The current kernel of a request (the running one, read live or proven, or
// --current), with its module tree joined as `check` joins it (a live reading
// has its loaded modules already).
Result<KernelSide> load_current(const CheckRequest& request, const Catalog& catalog);

// Why a kernel's strings, though read, cannot support a verdict (its RFC
// table and registrations disagree, near misses, two versions of one core
// family, a byte scan alone without `trust_scan`); nullopt when they can.
std::optional<EvidenceGap> undecidable_evidence(const Inspection& kernel, const Catalog& catalog,
                                                bool trust_scan);

// host.toml, read under the request's root (empty when there is none).

Result<HostConfig> load_host_config(const CheckRequest& request, const Catalog& catalog);
Result<CheckOutcome> run_check(const CheckRequest& request);

// The exit code of a verdict: 0 compatible (warnings included), 1
// incompatible, 4 undecided.
ExitCode exit_code(Verdict v);

}  // namespace lucompat
