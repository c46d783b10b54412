#include "lucompat/fleet/host_report.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "lucompat/fleet/ingest.h"

namespace lucompat {
namespace {

using nlohmann::json;

json report_at(const std::string& when) {
  return {
      {"schema", kReportSchema},
      {"host", "h"},
      {"collected_at", when},
      {"running",
       {{"release", "6.99"}, {"arch", "x86_64"}, {"has_version_set", true}, {"build_id", "ab"}}}};
}

const UtcTime kNow = *parse_utc("2026-11-27T12:00:00Z");

TEST(HostReport, OutcomeRecordAndBootSurviveTheRoundTrip) {
  HostReport r = *parse_report(report_at("2026-11-27T12:00:00Z"), "r", kNow);
  r.boot_id = "0b1d";
  r.live_update = LiveUpdateOutcome{LiveUpdateResult::sessions_lost, "7.3.4", 2, {"luo: x"}};
  r.installed_check = InstalledCheck{"e.conf", "/r.json", "compatible", 0, "ok", "B", true, "N"};
  const auto back = parse_report(report_json(r), "r", kNow);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->boot_id, "0b1d");
  ASSERT_TRUE(back->live_update);
  EXPECT_EQ(back->live_update->result, LiveUpdateResult::sessions_lost);
  EXPECT_EQ(back->live_update->kexec_count, 2U);
  ASSERT_TRUE(back->installed_check);
  EXPECT_EQ(back->installed_check->next_banner, "N");
  EXPECT_TRUE(back->installed_check->against_running);
}

TEST(HostReport, ARecordedVerdictNoCheckGivesIsRejected) {
  // The fleet counts hosts by it: any text would grow its tallies unbounded.
  json doc = report_at("2026-11-27T12:00:00Z");
  doc["installed_check"] = {{"entry", "e.conf"}, {"verdict", "fine"}, {"exit_code", 0}};
  const auto r = parse_report(doc, "r.json", kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "installed_check: \"fine\" with exit code 0 is no outcome of lucompat check");
  doc["installed_check"]["verdict"] = "incompatible";
  doc["installed_check"]["exit_code"] = 70000;
  EXPECT_FALSE(parse_report(doc, "r.json", kNow));
  doc["installed_check"]["exit_code"] = 1;
  EXPECT_TRUE(parse_report(doc, "r.json", kNow));
}

TEST(HostReport, AnOutcomeNoKernelGivesIsRejected) {
  json doc = report_at("2026-11-27T12:00:00Z");
  doc["live_update"] = {{"result", "fine"}};
  const auto r = parse_report(doc, "r.json", kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "live_update.result: unknown outcome \"fine\"");
}

// report/1's has_table meant a version set of any kind: hosts not yet
// upgraded keep reporting, and are read alike.
TEST(HostReport, ReadsReportOneHasTableAsAVersionSet) {
  json old = report_at("2026-11-27T12:00:00Z");
  old["schema"] = kReportSchemaV1;
  old["running"].erase("has_version_set");
  old["running"]["has_table"] = true;
  const auto r = parse_report(old, "r", kNow);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->running.has_version_set);
  old["schema"] = kReportSchema;
  EXPECT_FALSE(parse_report(old, "r", kNow));  // report/2 has no has_table
}

TEST(HostReport, AcceptsReportsUpToTheToleranceAhead) {
  EXPECT_TRUE(parse_report(report_at("2026-11-27T12:00:00Z"), "r", kNow));
  EXPECT_TRUE(parse_report(report_at("2026-11-28T12:00:00Z"), "r", kNow));  // exactly 24 h ahead
  EXPECT_TRUE(parse_report(report_at("1999-01-01T00:00:00Z"), "r", kNow));
}

TEST(HostReport, RefusesReportsDatedBeyondTheTolerance) {
  for (const char* when :
       {"2026-11-28T12:00:00.000000001Z", "2026-11-29T00:00:00Z", "9999-12-31T23:59:59Z"}) {
    auto r = parse_report(report_at(when), "r.jsonl:3", kNow);
    ASSERT_FALSE(r) << when;
    EXPECT_EQ(r.error().input, "r.jsonl:3");
    EXPECT_NE(r.error().message.find("collected_at:"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("in the future"), std::string::npos) << r.error().message;
  }
}

TEST(HostReport, RefusesImpossibleDatesAndDoesNotEchoHugeOnes) {
  auto r = parse_report(report_at("2026-02-30T00:00:00Z"), "r", kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("\"2026-02-30T00:00:00Z\" is not a UTC time"),
            std::string::npos);
  r = parse_report(report_at("2026-11-27T00:00:00." + std::string(30000, '1') + "Z"), "r", kNow);
  ASSERT_FALSE(r);
  EXPECT_LT(r.error().message.size(), 300u);
}

struct Read {
  std::vector<std::string> hosts;
  std::vector<Error> rejected;
};

Read read(const std::string& text) {
  Read out;
  std::istringstream in(text);
  read_reports(
      in, "in.jsonl", [&](HostReport&& r) { out.hosts.push_back(r.host); },
      [&](Error&& e) { out.rejected.push_back(std::move(e)); });
  return out;
}

std::string line_with(const std::string& host, const std::string& extra) {
  json doc = report_at("2026-11-27T00:00:00Z");
  doc["host"] = host;
  std::string text = doc.dump();
  return text.substr(0, text.size() - 1) + extra + "}\n";
}

TEST(ReadReports, AnOutOfRangeNumberRejectsOneLine) {
  const Read r = read(line_with("a", "") + line_with("b", R"(, "x": 1e400)") + line_with("c", "") +
                      line_with("d", R"(, "x": )" + std::string(400, '9')));
  EXPECT_EQ(r.hosts, (std::vector<std::string>{"a", "c"}));
  ASSERT_EQ(r.rejected.size(), 2u);
  EXPECT_EQ(r.rejected[0].input, "in.jsonl:2");
  EXPECT_EQ(r.rejected[1].input, "in.jsonl:4");
}

TEST(ReadReports, AnOutOfRangeNumberOnTheFirstLineCostsOnlyThatLine) {
  const Read r = read(line_with("a", R"(, "x": -1e400)") + line_with("b", ""));
  EXPECT_EQ(r.hosts, (std::vector<std::string>{"b"}));
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].input, "in.jsonl:1");
}

TEST(ReadReports, APrettyDocumentIsStillOneDocument) {
  json doc = report_at("2026-11-27T00:00:00Z");
  const Read r = read(doc.dump(2));
  EXPECT_EQ(r.hosts, (std::vector<std::string>{"h"}));
  EXPECT_TRUE(r.rejected.empty());
}

TEST(ReadReports, AnOutOfRangeNumberInAnArrayRejectsOneElement) {
  json a = report_at("2026-11-27T00:00:00Z"), b = a;
  a["host"] = "a, [\"b\"] {";  // brackets and commas in a string split nothing
  b["host"] = "b";
  const Read r = read("[\n" + a.dump(2) + ",\n{\"x\": [1e400, 2]},\n" + b.dump(2) + "\n]");
  EXPECT_EQ(r.hosts, (std::vector<std::string>{a["host"], "b"}));
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].input, "in.jsonl: [1]");
}

TEST(ReadReports, BrokenArraysAreRejectedNotSkipped) {
  const Read empty = read("[\n]");
  EXPECT_TRUE(empty.hosts.empty() && empty.rejected.empty());
  const Read hole = read("[\n" + report_at("2026-11-27T00:00:00Z").dump() + ",,\n]");
  EXPECT_EQ(hole.hosts, (std::vector<std::string>{"h"}));
  ASSERT_EQ(hole.rejected.size(), 2u);
  EXPECT_EQ(hole.rejected[0].input, "in.jsonl: [1]");
  EXPECT_EQ(hole.rejected[1].input, "in.jsonl: [2]");
  const Read open = read("[\n{\"a\": [1, 2}");
  EXPECT_TRUE(open.hosts.empty());
  EXPECT_EQ(open.rejected.size(), 1u);
}

// Found by the report fuzzer: \f is not JSON whitespace, and a document
// starting with it once ended before it began, so ingest never finished.
TEST(ReadReports, AFormFeedIsADocumentNotAnEnd) {
  const Read r = read("{\n}\n\f \v\n" + report_at("2026-11-27T00:00:00Z").dump(2));
  EXPECT_EQ(r.hosts, (std::vector<std::string>{"h"}));
  ASSERT_EQ(r.rejected.size(), 3u);
  EXPECT_EQ(r.rejected[0].input, "in.jsonl");  // {} is no report
  EXPECT_EQ(r.rejected[1].input, "in.jsonl: document 2");
  EXPECT_EQ(r.rejected[2].input, "in.jsonl: document 3");
}

TEST(ReadReports, ConcatenatedDocumentsAreEachRead) {
  json a = report_at("2026-11-27T00:00:00Z"), b = a;
  a["host"] = "a";
  b["host"] = "b";
  const Read r = read(a.dump(2) + "\n" + b.dump(2) + "\n" + json::array({a, b}).dump(1));
  EXPECT_EQ(r.hosts, (std::vector<std::string>{"a", "b", "a", "b"}));
  EXPECT_TRUE(r.rejected.empty());
  const Read bad = read(a.dump(2) + "\n{\"x\": 1e400}\n" + b.dump(2));
  EXPECT_EQ(bad.hosts, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(bad.rejected.size(), 1u);
  EXPECT_EQ(bad.rejected[0].input, "in.jsonl: document 2");
}

}  // namespace
}  // namespace lucompat
