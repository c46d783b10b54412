// The verdict the kernel-install plugin (contrib/kernel-install) recorded
// for the boot entry `systemctl kexec` would load now: what `lucompat
// report` and the fleet show of the staged entry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lucompat/base/result.h"
#include "lucompat/host/system_root.h"

namespace lucompat {

struct InstalledCheck {
  std::string entry;    // the boot entry's id: "debian-7.3.5.conf"
  std::string record;   // the file: /var/lib/lucompat/kernel-install/ENTRY_ID.json
  std::string verdict;  // check's: "compatible", "incompatible", "undecided"
  int exit_code = 0;
  std::string summary;
  // The running kernel the check was made against; a record of another
  // kernel than the one running now no longer says anything of this update.
  std::string against_banner;
  bool against_running = false;
  std::string next_banner;  // the kernel checked: the entry's, as its image says
};

// Whether `verdict` and `exit_code` are what a lucompat check --json
// document gives as a whole: compatible, warning, undecided, incompatible,
// or error, and an exit code. Reports are untrusted: the fleet counts hosts
// by these values, so any other would grow its tallies without bound.
bool is_check_outcome(std::string_view verdict, int64_t exit_code);

// The record of the default entry under `state_dir` (the plugin's
// LUCOMPAT_STATE_DIR, /var/lib/lucompat by default) within `root`; nullopt
// when there is no boot entry or no record of it. `running_banner` is the
// running kernel's. A record that is there but unreadable is an error.
Result<std::optional<InstalledCheck>> installed_check(const SystemRoot& root,
                                                      const std::string& state_dir,
                                                      const std::string& running_banner);

}  // namespace lucompat
