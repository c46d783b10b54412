// Which handler families are in use, and what the operator knows about what
// the running kernel emits: from /proc/PID/fd, a manifest, and host.toml.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "lucompat/catalog/catalog.h"
#include "lucompat/host/system_root.h"
#include "lucompat/policy/check.h"

namespace lucompat {

// Families of a process's open fds, by the catalog's link patterns:
// "pid 1234 (qemu) fd 7 /dev/iommu".
Result<std::map<std::string, FamilyUse>> families_of_pid(const SystemRoot& root, int pid,
                                                         const Catalog& catalog);

// The pids of every process whose /proc/PID/comm is `name` (comm holds 15
// characters: a longer name is matched on those), in increasing order. No
// such process is an error: the operator named something that is not running.
Result<std::vector<int>> pids_of_process(const SystemRoot& root, const std::string& name);

// A manifest (TOML):
//   [[session]]
//   name = "vm-42"
//   uses = ["memfd", "vfio-pci", "iommufd"]
//   optional = ["pci"]      # used, and optional in this session
//   required = []           # used, and required in this session
// A family required by any session is required. Errors name file:line:col.
Result<std::map<std::string, FamilyUse>> read_manifest(std::string_view toml,
                                                       const std::string& origin,
                                                       const Catalog& catalog);

// /etc/lucompat/host.toml:
//   profile = "2026.06"          # the profile this host runs with
//   [emit]
//   memfd = "memfd-v1"           # what the running kernel emits, when known
struct HostConfig {
  std::map<std::string, std::string> emit;
  std::string profile;
  std::string profile_at;  // "file:line:col" of the profile key
};
Result<HostConfig> read_host_config(std::string_view toml, const std::string& origin,
                                    const Catalog& catalog);

// Adds `from` into `into`: sources are appended; a required override wins.
void merge_uses(std::map<std::string, FamilyUse>& into,
                const std::map<std::string, FamilyUse>& from);

}  // namespace lucompat
