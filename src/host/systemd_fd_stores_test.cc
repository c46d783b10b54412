#include "lucompat/host/systemd_fd_stores.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/test_temp_dir.h"
#include "lucompat/catalog/catalog.h"

namespace lucompat {
namespace {

Catalog shipped() {
  Catalog catalog;
  EXPECT_TRUE(catalog.add(builtin_catalog(), "catalog.toml").ok());
  return catalog;
}

// What systemd 262.1 dumped in the QEMU guest of ../shared/corpus/real/systemd:
// a test service's memfd, and journald's stores (its socket and inotify fds).
SystemdStores guest_stores() {
  SystemdStores s;
  s.version = "262.1-1";
  s.preserves = true;
  s.stores.push_back(
      {"lucompat-keeper.service", {{"state", S_IFREG | 0600, "/memfd:state (deleted)"}}});
  s.stores.push_back(
      {"systemd-journald.service",
       {{"stored", S_IFSOCK | 0777, "socket:[4711]"}, {"inotify", 0600, "anon_inode:inotify"}}});
  return s;
}

const KernelStrings kRunning73 = {{"memfd-v2", {"running kernel"}},
                                  {"luo-v5", {"running kernel"}},
                                  {"kho-v4", {"running kernel"}}};

TEST(SystemdFdStores, KindsAreNamedFromTheLinkAndTheMode) {
  EXPECT_EQ(stored_fd_kind({"a", S_IFREG, "/memfd:a (deleted)"}), "memfd");
  EXPECT_EQ(stored_fd_kind({"a", S_IFSOCK, "socket:[1]"}), "socket");
  EXPECT_EQ(stored_fd_kind({"a", 0, "anon_inode:inotify"}), "inotify");
  EXPECT_EQ(stored_fd_kind({"a", 0, "anon_inode:[eventfd]"}), "eventfd");
  EXPECT_EQ(stored_fd_kind({"a", 0, "anon_inode:[luo_session] vm-1"}), "LUO session");
  EXPECT_EQ(stored_fd_kind({"a", S_IFIFO, "pipe:[9]"}), "pipe");
  EXPECT_EQ(stored_fd_kind({"a", S_IFREG, "/var/lib/x"}), "file");
  EXPECT_EQ(stored_fd_kind({"a", 0, ""}), "unknown kind");
}

TEST(SystemdFdStores, MajorVersions) {
  EXPECT_EQ(systemd_major("262.1-1"), 262U);
  EXPECT_EQ(systemd_major("v261"), 261U);
  EXPECT_EQ(systemd_major("261~rc2"), 261U);
  EXPECT_EQ(systemd_major("252.39-1~deb12u2"), 252U);
  EXPECT_FALSE(systemd_major("unknown"));
  EXPECT_FALSE(systemd_major(""));
}

TEST(SystemdFdStores, AMemfdIsAtStakeAndSocketsAreLostInAdvance) {
  const FdStorePlan plan = plan_fd_stores(guest_stores(), shipped(), kRunning73);
  ASSERT_EQ(plan.uses.size(), 1U);
  const auto& by = plan.uses.at("memfd").used_by;
  ASSERT_EQ(by.size(), 2U);
  EXPECT_EQ(by[0], "systemd unit lucompat-keeper.service fd 'state' (memfd)");
  EXPECT_EQ(by[1], "systemd's map of its LUO session 'systemd' (a memfd at token 0)");
  ASSERT_EQ(plan.lost.size(), 2U);
  // In name order of what is lost.
  EXPECT_EQ(plan.lost[0],
            "systemd unit systemd-journald.service fd 'inotify' (inotify) cannot be preserved: "
            "no live-update handler takes an fd of this kind; it will be lost across the kexec");
  EXPECT_NE(plan.lost[1].find("fd 'stored' (socket) cannot be preserved"), std::string::npos);
}

TEST(SystemdFdStores, FdsLostAlikeAreCountedOnOneLine) {
  SystemdStores s = guest_stores();
  for (int i = 0; i < 3; ++i) s.stores[1].fds.push_back({"stored", S_IFSOCK, "socket:[9]"});
  const FdStorePlan plan = plan_fd_stores(s, shipped(), kRunning73);
  ASSERT_EQ(plan.lost.size(), 2U);
  EXPECT_EQ(plan.lost[1],
            "systemd unit systemd-journald.service fd 'stored' (socket) (4 fds) cannot be "
            "preserved: no live-update handler takes an fd of this kind; they will be lost "
            "across the kexec");
}

TEST(SystemdFdStores, OnlyLosingStoresPreserveNothingNotEvenTheMap) {
  SystemdStores s = guest_stores();
  s.stores.erase(s.stores.begin());
  const FdStorePlan plan = plan_fd_stores(s, shipped(), kRunning73);
  EXPECT_TRUE(plan.uses.empty());
  EXPECT_EQ(plan.lost.size(), 2U);
}

TEST(SystemdFdStores, AFamilyTheRunningKernelCannotPreserveIsLost) {
  SystemdStores s = guest_stores();
  s.stores[0].fds.push_back({"vm", 0600, "anon_inode:[eventfd]"});
  const FdStorePlan plan = plan_fd_stores(s, shipped(), kRunning73);
  EXPECT_EQ(plan.uses.count("eventfd"), 0U);
  ASSERT_EQ(plan.lost.size(), 3U);
  EXPECT_EQ(plan.lost[0],
            "systemd unit lucompat-keeper.service fd 'vm' (eventfd) cannot be preserved: the "
            "running kernel has no eventfd handler; it will be lost across the kexec");
}

TEST(SystemdFdStores, AnotherSessionInAStoreStillMakesTheMap) {
  SystemdStores s;
  s.version = "262";
  s.preserves = true;
  s.stores.push_back({"vmm.service", {{"vm-1", 0600, "anon_inode:[luo_session] vm-1"}}});
  const FdStorePlan plan = plan_fd_stores(s, shipped(), kRunning73);
  ASSERT_EQ(plan.uses.count("memfd"), 1U);
  EXPECT_EQ(plan.uses.at("memfd").used_by.size(), 1U);
  EXPECT_TRUE(plan.lost.empty());
}

TEST(SystemdFdStores, ASystemdBeforeV261PreservesNothing) {
  SystemdStores s = guest_stores();
  s.preserves = false;
  const FdStorePlan plan = plan_fd_stores(s, shipped(), kRunning73);
  EXPECT_TRUE(plan.uses.empty());
  EXPECT_TRUE(plan.lost.empty());
}

TEST(SystemdFdStores, NoSystemdAsPid1IsNotAnError) {
  testing::TempDir root("systemd-stores");
  auto stores = read_systemd_stores(SystemRoot(root.path()));
  ASSERT_TRUE(stores.ok()) << stores.error().message;
  EXPECT_FALSE(stores->has_value());
}

TEST(SystemdFdStores, ASystemdThatCannotBeAskedIsAnError) {
  // sd_booted() says systemd is PID 1, but neither of its sockets answers:
  // what it will preserve is unknown, which is never "nothing".
  testing::TempDir root("systemd-stores");
  std::filesystem::create_directories(root.path() + "/run/systemd/system");
  auto stores = read_systemd_stores(SystemRoot(root.path()));
  ASSERT_FALSE(stores.ok());
  EXPECT_NE(stores.error().message.find("cannot talk to systemd"), std::string::npos)
      << stores.error().message;
}

}  // namespace
}  // namespace lucompat
