#include "lucompat/fleet_report/fleet_report.h"

#include <gtest/gtest.h>
#include <stdio.h>

#include <cstdlib>
#include <string>

namespace lucompat {
namespace {

using nlohmann::json;

// What a writer puts in a FILE*.
template <typename Write>
std::string written(Write write) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&buffer, &size);
  write(f);
  std::fclose(f);
  std::string out(buffer, size);
  std::free(buffer);
  return out;
}

StoredBuild build(int64_t id) {
  return {id, KernelFacts{"6.99." + std::to_string(id),
                          "Linux version 6.99 #" + std::to_string(id) + " SMP",
                          std::string(40, static_cast<char>('0' + id)),
                          "x86_64",
                          true,
                          {"luo-v1"},
                          "",
                          ""}};
}

FleetStatus status(std::vector<std::pair<std::string, std::string>> stale) {
  FleetStatus s;
  s.hosts = 3;
  s.kernel_builds = 1;
  s.builds = {{1, build(1)}};
  s.per_build = {{1, 3}};
  s.per_profile = {{"2026.03", 2}, {"(none)", 1}};
  s.stale = stale.size();
  s.live_updates = {{{"compatible", "handed_over"}, 2}, {{"compatible", "sessions_lost"}, 1}};
  s.disagreements = 1;
  s.disagreeing = {{"hv-3", "compatible", "sessions_lost"}};
  s.each_stale = [stale](const std::function<void(const HostRow&)>& each) -> Result<void> {
    for (const auto& [name, at] : stale)
      each(HostRow{name, at, *parse_utc(at), 1, {}, "", "{}", {}});
    return {};
  };
  return s;
}

// The streamed documents are the ones nlohmann would have written whole:
// its layout, its order of keys.
TEST(FleetReport, StatusJsonIsWrittenAsNlohmannWouldWriteIt) {
  for (const auto& stale :
       {std::vector<std::pair<std::string, std::string>>{},
        {{"hv-1", "2026-11-27T00:00:00Z"}, {"hv-2", "2026-11-27T00:00:00.5Z"}}}) {
    const std::string out =
        written([&](std::FILE* f) { ASSERT_TRUE(write_status_json(status(stale), f)); });
    const json doc = json::parse(out);
    EXPECT_EQ(out, doc.dump(2) + "\n");
    EXPECT_EQ(doc["schema"], "lucompat.fleet-status/2");
    EXPECT_EQ(doc["disagreeing"][0]["host"], "hv-3");
    EXPECT_EQ(doc["live_updates"].size(), 2U);
    ASSERT_EQ(doc["stale"].size(), stale.size());
    for (size_t i = 0; i < stale.size(); ++i)
      EXPECT_EQ(doc["stale"][i],
                json({{"host", stale[i].first}, {"collected_at", stale[i].second}}));
  }
}

TEST(FleetReport, StatusTextListsWhatIsStale) {
  const std::string out = written([&](std::FILE* f) {
    ASSERT_TRUE(write_status_text(status({{"hv-1", "2026-11-27T00:00:00Z"}}), f));
  });
  EXPECT_NE(out.find("\nstale reports: 1\n  hv-1  collected 2026-11-27T00:00:00Z\n"),
            std::string::npos)
      << out;
}

TEST(FleetReport, PlanJsonIsWrittenAsNlohmannWouldWriteIt) {
  const Profile profile{"2026.06", ProfileStatus::active, "", {"luo-v1"}, {}, {}, ""};
  Plan plan;
  plan.profile = &profile;
  plan.builds = {{1, build(1)}, {2, build(2)}};
  plan.ready = 5;
  plan.blocked = 2;
  plan.blocked_groups = {PlanGroup{
      1,
      2,
      "",
      2,
      {"b-1", "b-2"},
      {{.code = ReasonCode::profile_not_understood, .family = "luo", .string = "luo-v1"}}}};
  plan.waves = {{PlanGroup{2, {}, "r1", 3, {"a-1", "a-2", "a-3"}, {}}},
                {PlanGroup{1, 1, "", 2, {"c-1", "c-2"}, {}}}};
  const std::string out = written([&](std::FILE* f) { write_plan_json(plan, f); });
  const json doc = json::parse(out);
  EXPECT_EQ(out, doc.dump(2) + "\n");
  EXPECT_EQ(doc["waves"][0]["hosts"], 3);
  EXPECT_EQ(doc["waves"][1]["groups"][0]["hosts"], json({"c-1", "c-2"}));
  EXPECT_EQ(doc["blocked_builds"][0]["staged"]["release"], "6.99.2");
  EXPECT_EQ(doc["blocked_builds"][0]["reasons"],
            json({"luo-v1: the next kernel does not understand it"}));
  EXPECT_EQ(doc["blocked_builds"][0]["reason_details"],
            json::parse(R"([{"code": "profile_not_understood", "family": "luo",
                             "string": "luo-v1"}])"));
  plan.blocked_groups.clear();
  plan.waves.clear();
  const std::string empty = written([&](std::FILE* f) { write_plan_json(plan, f); });
  EXPECT_EQ(empty, json::parse(empty).dump(2) + "\n");
}

// A host report's undecided text reaches the plan's reasons: written raw, an
// escape sequence in it would reach the operator's terminal.
TEST(FleetReport, PlanTextEscapesReasons) {
  const Profile profile{"2026.06", ProfileStatus::active, "", {"luo-v1"}, {}, {}, ""};
  Plan plan;
  plan.profile = &profile;
  plan.builds = {{1, build(1)}};
  plan.blocked = 1;
  plan.blocked_groups = {PlanGroup{1,
                                   {},
                                   "",
                                   1,
                                   {"b-1"},
                                   {{.code = ReasonCode::kernel_undecided,
                                     .kernel = KernelRole::running,
                                     .detail = "near \x1b[2Jmisses"}}}};
  const std::string out = plan_text(plan);
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_NE(out.find("the running kernel's strings cannot support a verdict: near "),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace lucompat
