// What systemd will preserve across a kexec. Since v261, `systemctl kexec`
// hands the file descriptor stores of services with
// FileDescriptorStorePreserve=yes to systemd-shutdown, which puts every
// stored fd into one LUO session named "systemd", with a JSON map of them in
// a memfd at token 0, just before the kexec syscall. That session does not
// exist yet when lucompat checks, so the families it will use are read from
// PID 1's stores (src/core/manager.c, src/shared/luo-util.c in systemd).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lucompat/catalog/catalog.h"
#include "lucompat/host/system_root.h"
#include "lucompat/policy/check.h"

namespace lucompat {

// One entry of DumpUnitFileDescriptorStore(): its FDNAME=, its st_mode and
// the link text of the fd ("/memfd:cache (deleted)", "socket:[1234]").
struct StoredFd {
  std::string name;
  uint32_t mode = 0;
  std::string path;
};

// A service whose store systemd preserves, and what is in it.
struct PreservedStore {
  std::string unit;
  std::vector<StoredFd> fds;
};

struct SystemdStores {
  std::string version;  // the Manager's Version property: "262.1-1"
  // False before v261: such a systemd preserves nothing through LUO.
  bool preserves = false;
  std::vector<PreservedStore> stores;  // units with FileDescriptorStorePreserve=yes
};

// The kind of a stored fd, in words: memfd, socket, inotify, LUO session, ...
std::string stored_fd_kind(const StoredFd& fd);

// The major version of a systemd Version string ("262.1-1", "v261",
// "261~rc2"); nullopt when it does not start with one.
std::optional<unsigned> systemd_major(std::string_view version);

// What the stores put at stake, given the file families the running kernel
// can preserve (a family with no handler there fails systemd's preserve, and
// systemd drops that fd and goes on).
struct FdStorePlan {
  std::map<std::string, FamilyUse> uses;  // "systemd unit foo.service fd 'state' (memfd)"
  std::vector<std::string> lost;          // one line per fd that will be lost
};
FdStorePlan plan_fd_stores(const SystemdStores& stores, const Catalog& catalog,
                           const KernelStrings& running);

// PID 1's preserved stores, over D-Bus (systemd's private socket as root,
// else the system bus), or nullopt when PID 1 is not systemd. A systemd that
// runs but cannot be asked is an error: what it will preserve is unknown.
Result<std::optional<SystemdStores>> read_systemd_stores(const SystemRoot& root);

}  // namespace lucompat
