#include "lucompat/fleet/store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/test_temp_dir.h"
#include "lucompat/fleet/fleet_queries.h"
#include "lucompat/fleet/utc_time.h"

namespace lucompat {
namespace {

KernelFacts build(const std::string& build_id, std::vector<std::string> strings) {
  KernelFacts k;
  k.release = "7.3.4";
  k.banner = "Linux version 7.3.4 (" + build_id + ")";
  k.build_id = build_id;
  k.arch = "x86_64";
  k.has_version_set = true;
  k.strings = std::move(strings);
  k.evidence = "registrations (symtab + BTF)";
  return k;
}

HostReport host(const std::string& name, const std::string& when, KernelFacts running) {
  HostReport r;
  r.host = name;
  r.collected_at = when;
  r.running = std::move(running);
  r.labels = {{"rack", name == "h1" ? "r1" : "r2"}};
  return r;
}

std::unique_ptr<Store> fresh(const testing::TempDir& dir) {
  auto store = open_store("sqlite:" + dir.path() + "/fleet.db");
  if (!store) throw std::runtime_error(store.error().message);
  return std::move(*store);
}

TEST(FleetStore, TheNewestReportOfAHostWinsAndReingestingIsHarmless) {
  const testing::TempDir dir("lucompat-store");
  auto store = fresh(dir);
  const KernelFacts a = build("aa", {"luo-v5", "memfd-v2"});
  const KernelFacts b = build("bb", {"luo-v5", "memfd-v3"});
  auto s =
      store->ingest({host("h1", "2026-12-01T00:00:00Z", a), host("h2", "2026-12-01T00:00:00Z", a)});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->applied, 2u);
  s = store->ingest({host("h1", "2026-11-30T00:00:00Z", b)});  // older: ignored
  ASSERT_TRUE(s);
  EXPECT_EQ(s->ignored, 1u);
  s = store->ingest({host("h1", "2026-12-01T00:00:00Z", a)});  // the same again
  ASSERT_TRUE(s);
  EXPECT_EQ(s->applied, 0u);
  s = store->ingest({host("h2", "2026-12-02T00:00:00Z", b)});  // newer: replaces
  ASSERT_TRUE(s);
  EXPECT_EQ(s->applied, 1u);

  auto builds = store->builds();
  ASSERT_TRUE(builds);
  ASSERT_EQ(builds->size(), 2u);
  auto groups = store->groups({});
  ASSERT_TRUE(groups);
  ASSERT_EQ(groups->size(), 2u);
  for (const HostGroup& g : *groups) EXPECT_EQ(g.hosts, 1u);
  auto r1 = store->groups({{"rack", "r1"}});
  ASSERT_TRUE(r1);
  ASSERT_EQ(r1->size(), 1u);
  EXPECT_EQ(r1->front().example, "h1");
}

// Hosts of one build-id whose modules differ report different strings:
// each set is kept (a variant), never the first one's for all.
TEST(FleetStore, OneBuildWithTwoSetsOfStringsKeepsBoth) {
  const testing::TempDir dir("lucompat-store");
  auto store = fresh(dir);
  auto s =
      store->ingest({host("h1", "2026-12-01T00:00:00Z", build("aa", {"luo-v5"})),
                     host("h2", "2026-12-01T00:00:00Z", build("aa", {"luo-v5", "vfio-pci-v1"}))});
  ASSERT_TRUE(s) << s.error().message;
  auto builds = store->builds();
  ASSERT_TRUE(builds);
  ASSERT_EQ(builds->size(), 2u);
  EXPECT_NE(builds->at(0).variant, builds->at(1).variant);
  auto status = fleet_status(*store, {}, *builds, *parse_utc("2026-11-01T00:00:00Z"));
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->hosts, 2u);
  EXPECT_EQ(status->kernel_builds, 2u);
  EXPECT_EQ(status->stale, 0u);
}

// Queries never create or migrate a store: a mistyped path is an error.
TEST(FleetStore, OnlyIngestCreatesAStore) {
  const testing::TempDir dir("lucompat-store");
  EXPECT_FALSE(open_store("sqlite:" + dir.path() + "/missing.db", StoreAccess::existing));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/missing.db"));
}

}  // namespace
}  // namespace lucompat
