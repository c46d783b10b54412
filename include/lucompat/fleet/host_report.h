// A host's report for the fleet store: which kernel runs, which is staged,
// what each understands, and the host's profile. Schema "lucompat.report/2"
// (docs/json-schema.md).
#pragma once

#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lucompat/base/result.h"
#include "lucompat/fleet/installed_check.h"
#include "lucompat/fleet/utc_time.h"
#include "lucompat/host/live_update_outcome.h"

namespace lucompat {

inline constexpr std::string_view kReportSchema = "lucompat.report/2";
// Still read: the same facts, but its `has_table` meant any version set (an
// RFC table or a derived one), which report/2 calls `has_version_set`.
inline constexpr std::string_view kReportSchemaV1 = "lucompat.report/1";

struct KernelFacts {
  std::string release;
  std::string banner;
  std::string build_id;
  std::string arch;
  bool has_version_set = false;      // an RFC table or a derived set
  std::vector<std::string> strings;  // kernel and module entries, sorted, unique
  // What the strings rest on, as check's header says it ("registrations
  // (kallsyms + BTF)"); empty in reports of an earlier lucompat.
  std::string evidence;
  // Why the strings, though read, cannot support a verdict (check is
  // undecided on such a kernel: a scan alone, near misses, two core
  // versions, a table that disagrees with the registrations); empty if none.
  std::string undecided;

  // What names the build: the build-id, else the banner. Hosts of one
  // build may report different facts (their modules differ): the store
  // keeps each set of facts (store.h).
  std::string identity() const;

  bool operator==(const KernelFacts&) const = default;
};

struct HostReport {
  std::string host;
  std::map<std::string, std::string> labels;
  std::string collected_at;  // UTC, "2026-11-27T05:33:00Z"; compare with parse_utc, not as text
  KernelFacts running;
  std::optional<KernelFacts> staged;
  std::string profile;  // empty: none
  std::vector<std::string> vmm_features;
  std::map<std::string, std::string> emit;  // host.toml pins
  // What the live update that booted the running kernel did, from its log;
  // nullopt when the report is not of the running kernel (--current). The
  // store keeps its result as the host's outcome.
  std::optional<LiveUpdateOutcome> live_update;
  // What the kernel-install plugin recorded for the default boot entry;
  // nullopt when there is none (or the report is of --current). The store
  // keeps its verdict as the prediction for the next boot into its kernel.
  std::optional<InstalledCheck> installed_check;
  // /proc/sys/kernel/random/boot_id of the running kernel: the store tells a
  // new boot from another report of the same one by it. Empty when unknown.
  std::string boot_id;
};

nlohmann::json report_json(const HostReport& report);

// How far ahead of the ingesting host's clock a report may be dated: clocks
// drift, but the newest report wins, so one dated 9999 would pin its host
// forever.
inline constexpr int64_t kMaxReportAheadSeconds = int64_t{24} * 3600;

// Validates a document; errors name `where` (file, and line for JSON lines)
// and the field: "reports.jsonl:12: running.strings[3]: expected a string".
// `now` is the ingesting host's clock.
Result<HostReport> parse_report(const nlohmann::json& doc, const std::string& where, UtcTime now);
Result<HostReport> parse_report(const nlohmann::json& doc, const std::string& where);

// "2026-11-27T05:33:00Z" for a time, and for now: the form collected_at takes.
std::string utc_time(std::time_t t);
std::string utc_now();

}  // namespace lucompat
