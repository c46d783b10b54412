#include "lucompat/fleet/store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/test_temp_dir.h"
#include "lucompat/catalog/catalog.h"
#include "lucompat/fleet/fleet_queries.h"
#include "lucompat/fleet/ingest.h"
#include "lucompat/fleet/utc_time.h"
#include "lucompat/policy/profile.h"

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

HostReport staged(const std::string& name, KernelFacts running, KernelFacts next) {
  HostReport r = host(name, "2026-12-01T00:00:00Z", std::move(running));
  r.staged = std::move(next);
  return r;
}

// A plan splits the hosts by what their staged kernel reads: one that reads
// the profile's strings is ready, one that does not is blocked, with why.
TEST(FleetPlan, HostsWhoseStagedKernelLacksTheProfileAreBlocked) {
  const testing::TempDir dir("lucompat-store");
  auto store = fresh(dir);
  const KernelFacts now = build("aa", {"kho-v4", "luo-v5", "memfd-v2"});
  ASSERT_TRUE(store->ingest({staged("h1", now, build("bb", {"kho-v4", "luo-v5", "memfd-v2"})),
                             staged("h2", now, build("cc", {"kho-v4", "luo-v5", "memfd-v3"}))}));
  Catalog catalog;
  ASSERT_TRUE(catalog.add(builtin_catalog(), "catalog.toml (built in)"));
  ProfileSet profiles;
  ASSERT_TRUE(profiles.add("[[profile]]\nname = \"p\"\nrequires = [\"luo-v5\", \"memfd-v2\"]\n",
                           "test.toml", catalog));
  auto builds = store->builds();
  ASSERT_TRUE(builds);
  PlanRequest request;
  request.profile = profiles.find("p");
  request.names = 10;
  auto plan = fleet_plan(*store, request, *builds, catalog);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->ready, 1u);
  EXPECT_EQ(plan->blocked, 1u);
  ASSERT_EQ(plan->blocked_groups.size(), 1u);
  EXPECT_EQ(plan->blocked_groups[0].names, std::vector<std::string>{"h2"});
  EXPECT_FALSE(plan->blocked_groups[0].reasons.empty());
  ASSERT_EQ(plan->waves.size(), 1u);
  ASSERT_EQ(plan->waves[0].size(), 1u);
  EXPECT_EQ(plan->waves[0][0].names, std::vector<std::string>{"h1"});
}

// Ingest reads JSON lines a report at a time: valid ones go in by batches,
// a rejected one is listed with its file and line, and with `strict`
// nothing is written.
TEST(FleetIngest, RejectedLinesAreListedAndStrictWritesNothing) {
  const testing::TempDir dir("lucompat-store");
  const std::string path = dir.path() + "/reports.jsonl";
  {
    std::ofstream out(path);
    for (const char* name : {"h1", "h2", "h3"})
      out << report_json(host(name, "2026-12-01T00:00:00Z", build("aa", {"luo-v5"}))).dump()
          << "\n";
    out << "{\"schema\": \"not a report\"}\n";
  }
  auto store = fresh(dir);
  auto strict = ingest_paths(*store, {path}, true, 2);
  ASSERT_TRUE(strict) << strict.error().message;
  EXPECT_EQ(strict->stats.applied, 0u);
  ASSERT_EQ(strict->rejected.size(), 1u);
  EXPECT_TRUE(strict->rejected[0].input.ends_with("reports.jsonl:4")) << strict->rejected[0].input;
  EXPECT_NE(strict->rejected[0].message.find("not lucompat.report/2"), std::string::npos);
  auto summary = ingest_paths(*store, {path}, false, 2);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->stats.applied, 3u);
  EXPECT_EQ(summary->batches, 2u);
  EXPECT_EQ(summary->rejected.size(), 1u);
}

// Queries never create or migrate a store: a mistyped path is an error.
TEST(FleetStore, OnlyIngestCreatesAStore) {
  const testing::TempDir dir("lucompat-store");
  EXPECT_FALSE(open_store("sqlite:" + dir.path() + "/missing.db", StoreAccess::existing));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/missing.db"));
}

}  // namespace
}  // namespace lucompat
