#include "lucompat/host/systemd_fd_stores.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <charconv>
#include <set>
#include <utility>

namespace lucompat {
namespace {

// src/shared/luo-util.c: the fd of another LUO session stored in a unit's
// store reads "anon_inode:[luo_session] NAME"; it survives the kexec as its
// own session and is only named in systemd's map.
constexpr std::string_view kLuoSessionLink = "anon_inode:[luo_session]";

bool is_luo_session(const StoredFd& fd) { return fd.path.starts_with(kLuoSessionLink); }

}  // namespace

std::string stored_fd_kind(const StoredFd& fd) {
  std::string_view p = fd.path;
  if (p.starts_with("/memfd:")) return "memfd";
  if (is_luo_session(fd)) return "LUO session";
  if (p.starts_with("anon_inode:")) {
    p.remove_prefix(std::string_view("anon_inode:").size());
    if (p.starts_with('[') && p.ends_with(']')) p = p.substr(1, p.size() - 2);
    return p.empty() ? "anonymous inode" : std::string(p);
  }
  switch (fd.mode & S_IFMT) {
    case S_IFSOCK:
      return "socket";
    case S_IFIFO:
      return "pipe";
    case S_IFCHR:
      return "character device";
    case S_IFBLK:
      return "block device";
    case S_IFDIR:
      return "directory";
    case S_IFREG:
      return "file";
    default:
      return "unknown kind";
  }
}

std::optional<unsigned> systemd_major(std::string_view version) {
  if (version.starts_with('v')) version.remove_prefix(1);
  unsigned major = 0;
  const auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), major);
  if (ec != std::errc() || end == version.data()) return std::nullopt;
  return major;
}

FdStorePlan plan_fd_stores(const SystemdStores& stores, const Catalog& catalog,
                           const KernelStrings& running) {
  FdStorePlan plan;
  if (!stores.preserves) return plan;
  std::set<std::string> handled;  // file families the running kernel has a handler for
  for (const auto& [compatible, sources] : running)
    handled.insert(catalog.parse(compatible).family);
  bool any_preserved = false;
  // journald stores several sockets under one name: one line says how many.
  std::map<std::pair<std::string, std::string>, size_t> lost;  // (what, why) -> fds
  for (const PreservedStore& store : stores.stores)
    for (const StoredFd& fd : store.fds) {
      std::string what =
          fmt::format("systemd unit {} fd '{}' ({})", store.unit, fd.name, stored_fd_kind(fd));
      if (is_luo_session(fd)) {
        any_preserved = true;  // named in the map, which is itself preserved
        continue;
      }
      const Family* family = catalog.family_of_fd(fd.path);
      if (family == nullptr) {
        ++lost[{std::move(what), "no live-update handler takes an fd of this kind"}];
      } else if (handled.count(family->name) == 0) {
        ++lost[{std::move(what),
                fmt::format("the running kernel has no {} handler", family->name)}];
      } else {
        plan.uses[family->name].used_by.push_back(std::move(what));
        any_preserved = true;
      }
    }
  for (const auto& [what_why, count] : lost)
    plan.lost.push_back(
        fmt::format("{}{} cannot be preserved: {}; {} will be lost across the kexec",
                    what_why.first, count > 1 ? fmt::format(" ({} fds)", count) : std::string(),
                    what_why.second, count > 1 ? "they" : "it"));
  // luo_preserve_fd_stores(): once anything is preserved, the map of the
  // session is a sealed memfd at token 0, so memfd is at stake with it.
  if (any_preserved)
    if (const Family* map_family = catalog.family_of_fd("/memfd:luo-mapping (deleted)"))
      plan.uses[map_family->name].used_by.push_back(
          "systemd's map of its LUO session 'systemd' (a memfd at token 0)");
  return plan;
}

}  // namespace lucompat
