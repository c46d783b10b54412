#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <limits>
#include <memory>

#include "cli/colour.h"
#include "cli/commands.h"
#include "cli/update_options.h"
#include "lucompat/base/json_dump.h"
#include "lucompat/fleet_report/fleet_report.h"
#include "lucompat/fleet_report/prometheus.h"

namespace lucompat::cli {
namespace {

struct FleetArgs {
  std::string store;
  std::string root = "/";
  std::vector<std::string> where;
  std::vector<std::string> profiles;
  std::vector<std::string> catalogs;
  bool json = false;
  std::vector<std::string> inputs;  // ingest
  bool strict = false;
  size_t batch = 5000;
  std::string stale = "24h";
  std::string format = "text";  // status
  std::string profile;          // plan
  size_t waves = 1;
  std::string by;
};

void add_common(CLI::App* sub, FleetArgs& a) {
  sub->add_option("--store", a.store, "sqlite:PATH (default: " + default_store_url() + ")")
      ->type_name("URL");
  sub->add_flag("--json", a.json, "Print JSON");
}

void add_query(CLI::App* sub, FleetArgs& a) {
  add_common(sub, a);
  sub->add_option("--where", a.where, "Only hosts with this label (repeatable)")
      ->type_name("KEY=VALUE");
  sub->add_option("--profiles", a.profiles, "More profiles (TOML), after /etc/lucompat/profiles.d")
      ->type_name("FILE");
  sub->add_option("--catalog", a.catalogs, "More handler families (TOML)")->type_name("FILE");
  sub->add_option("--root", a.root, "Read /etc under DIR")->type_name("DIR");
}

std::string store_url(const FleetArgs& a) {
  return a.store.empty() ? default_store_url() : a.store;
}

Result<std::unique_ptr<Store>> open(const FleetArgs& a, StoreAccess access) {
  return open_store(store_url(a), access);
}

Result<std::vector<LabelFilter>> filters(const FleetArgs& a) {
  std::vector<LabelFilter> out;
  for (const auto& w : a.where) {
    const size_t eq = w.find('=');
    if (eq == std::string::npos || eq == 0)
      return Error{
          ErrorKind::usage, {}, std::nullopt, fmt::format("--where {}: expected LABEL=VALUE", w)};
    out.push_back({w.substr(0, eq), w.substr(eq + 1)});
  }
  return out;
}

ExitCode run_ingest(const FleetArgs& a) {
  auto store = open(a, StoreAccess::create);
  if (!store) return report_error(store.error(), a.json);
  auto summary = ingest_paths(**store, a.inputs, a.strict, a.batch);
  if (!summary) return report_error(summary.error(), a.json);
  for (const auto& e : summary->rejected)
    std::fprintf(stderr, "lucompat: %s\n", e.to_string().c_str());
  if (a.json) {
    std::fputs((dump_json(ingest_json(*summary), 2) + "\n").c_str(), stdout);
  } else {
    std::printf(
        "%zu reports stored (%zu newer, %zu duplicate or older) in %zu batch%s; %zu rejected%s\n",
        summary->stats.applied + summary->stats.ignored, summary->stats.applied,
        summary->stats.ignored, summary->batches, summary->batches == 1 ? "" : "es",
        summary->rejected.size(),
        a.strict && !summary->rejected.empty() ? " (--strict: nothing stored)" : "");
  }
  return summary->rejected.empty() ? ExitCode::ok : ExitCode::bad_input;
}

// The catalog and profiles a fleet query judges by.
struct Rules {
  Catalog catalog;
  ProfileSet profiles;
};

Result<Rules> load_rules(const FleetArgs& a) {
  const SystemRoot root(a.root);
  LUCOMPAT_TRY(catalog, load_catalog(root, a.catalogs));
  LUCOMPAT_TRY(profiles, load_profiles(root, a.profiles, *catalog));
  return Rules{std::move(catalog).value(), std::move(profiles).value()};
}

// The store, the --where filters, and the kernel builds every query needs,
// read in one snapshot with what the query reads next.
struct Fleet {
  std::unique_ptr<Store> store;
  Store::Snapshot snapshot;  // ends before the store closes
  std::vector<LabelFilter> where;
  std::vector<StoredBuild> builds;
};

Result<Fleet> open_fleet(const FleetArgs& a) {
  LUCOMPAT_TRY(where, filters(a));
  LUCOMPAT_TRY(store, open(a, StoreAccess::existing));
  LUCOMPAT_TRY(snapshot, (*store)->snapshot());
  LUCOMPAT_TRY(builds, (*store)->builds());
  return Fleet{std::move(store).value(), std::move(snapshot).value(), std::move(where).value(),
               std::move(builds).value()};
}

ExitCode run_baseline(const FleetArgs& a) {
  auto rules = load_rules(a);
  if (!rules) return report_error(rules.error(), a.json);
  auto fleet = open_fleet(a);
  if (!fleet) return report_error(fleet.error(), a.json);
  auto groups = fleet->store->groups(fleet->where);
  if (!groups) return report_error(groups.error(), a.json);
  if (auto known = check_builds(fleet->builds, *groups, fleet->store->name()); !known)
    return report_error(known.error(), a.json);
  const Baseline base = fleet_baseline(*groups, fleet->builds, rules->profiles, rules->catalog);
  std::fputs((a.json ? dump_json(baseline_json(base), 2) + "\n" : baseline_text(base)).c_str(),
             stdout);
  if (base.hosts == 0 || base.profiles.empty()) {
    std::fputs(base.hosts == 0 ? "lucompat: no hosts in the store match\n"
                               : "lucompat: no profiles defined\n",
               stderr);
    return ExitCode::undecidable;
  }
  return base.baseline ? ExitCode::ok : ExitCode::incompatible;
}

// "24h", "7d", "90m" before now. Ages past a million days are refused: they
// would overflow, and no report is that old.
Result<UtcTime> cutoff(const std::string& age, UtcTime now) {
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(age.data(), age.data() + age.size(), n);
  const std::string_view unit(end, static_cast<size_t>(age.data() + age.size() - end));
  const int64_t seconds = unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
  if (ec != std::errc() || seconds == 0 || n < 0 || n > int64_t{1'000'000} * 86400 / seconds)
    return Error{ErrorKind::usage,
                 {},
                 std::nullopt,
                 fmt::format("--stale {}: expected a duration like 90m, 24h or 7d", age)};
  return plus_seconds(now, -n * seconds);
}

ExitCode run_status(const FleetArgs& a) {
  auto before = cutoff(a.stale, utc_clock_now());
  if (!before) return report_error(before.error(), a.json);
  auto fleet = open_fleet(a);
  if (!fleet) return report_error(fleet.error(), a.json);
  auto s = fleet_status(*fleet->store, fleet->where, fleet->builds, *before);
  if (!s) return report_error(s.error(), a.json);
  if (a.format == "prometheus" && !a.json) {
    std::fputs(status_prometheus(*s).c_str(), stdout);
    return ExitCode::ok;
  }
  auto written = a.json ? write_status_json(*s, stdout) : write_status_text(*s, stdout);
  if (!written) return report_error(written.error(), a.json);
  return ExitCode::ok;
}

ExitCode run_plan(const FleetArgs& a) {
  auto rules = load_rules(a);
  if (!rules) return report_error(rules.error(), a.json);
  const Profile* profile = rules->profiles.find(a.profile);
  if (profile == nullptr)
    return report_error(
        Error{ErrorKind::usage, {}, std::nullopt, fmt::format("no profile \"{}\"", a.profile)},
        a.json);
  auto fleet = open_fleet(a);
  if (!fleet) return report_error(fleet.error(), a.json);
  const PlanRequest request{profile, fleet->where, a.waves, a.by,
                            a.json ? std::numeric_limits<size_t>::max() : kPlanTextNames};
  auto plan = fleet_plan(*fleet->store, request, fleet->builds, rules->catalog);
  if (!plan) return report_error(plan.error(), a.json);
  if (profile->status == ProfileStatus::retired)
    std::fprintf(stderr, "lucompat: warning: profile %s is retired: no VMM should start with it\n",
                 profile->name.c_str());
  const size_t hosts = plan->ready + plan->blocked;
  if (!a.by.empty() && hosts > 0 && !plan->group_seen)
    return report_error(Error{ErrorKind::usage,
                              {},
                              std::nullopt,
                              fmt::format("--by {}: no host has the label {}", a.by, a.by)},
                        a.json);
  if (a.json)
    write_plan_json(*plan, stdout);
  else
    std::fputs(plan_text(*plan, colour_wanted()).c_str(), stdout);
  if (hosts == 0) return ExitCode::undecidable;
  return plan->blocked == 0 ? ExitCode::ok : ExitCode::incompatible;
}

}  // namespace

void add_fleet_command(CLI::App& app, ExitCode& result) {
  auto a = std::make_shared<FleetArgs>();
  CLI::App* fleet =
      app.add_subcommand("fleet", "The fleet store: ingest host reports, baseline, plan, status");
  fleet->require_subcommand(1);
  fleet->footer(
      "Hosts send `lucompat report`; the store keeps each host's newest. See lucompat(1).");

  CLI::App* ingest =
      fleet->add_subcommand("ingest", "Store host reports (files, directories, or - for stdin)");
  ingest->add_option("inputs", a->inputs, "Report documents, arrays of them, or JSON lines")
      ->required()
      ->type_name("FILE|DIR|-");
  ingest->add_flag("--strict", a->strict, "Store nothing if any report is rejected");
  ingest->add_option("--batch", a->batch, "Reports per transaction (default 5000)")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->type_name("N");
  add_common(ingest, *a);
  ingest->footer(
      "Examples:\n"
      "  lucompat fleet ingest --store sqlite:/var/lib/lucompat/fleet.db reports/\n"
      "  ssh host1 lucompat report | lucompat fleet ingest --store postgresql://fleet@db/fleet "
      "-\n\n"
      "Exit: 0 all stored; 3 a report was rejected (the others were stored unless --strict).");
  ingest->callback([a, &result] { result = run_ingest(*a); });

  CLI::App* baseline = fleet->add_subcommand(
      "baseline", "The newest active profile viable on every host, and who blocks the newer ones");
  add_query(baseline, *a);
  baseline->footer(
      "Examples:\n"
      "  lucompat fleet baseline --store sqlite:/var/lib/lucompat/fleet.db\n"
      "  lucompat fleet baseline --where az=b --json\n\n"
      "Exit: 0 a baseline exists; 1 no active profile is viable on every host; 4 no hosts or no\n"
      "profiles.");
  baseline->callback([a, &result] { result = run_baseline(*a); });

  CLI::App* plan = fleet->add_subcommand(
      "plan", "Roll a profile out: blocked hosts with reasons, then ready hosts in waves");
  add_query(plan, *a);
  plan->add_option("--profile", a->profile, "The profile to move to")
      ->required()
      ->type_name("PROFILE");
  plan->add_option("--waves", a->waves, "Split ready hosts into N balanced waves (default 1)")
      ->check(CLI::Range(size_t{1}, size_t{1000}))
      ->type_name("N");
  plan->add_option("--by", a->by, "Keep hosts with one value of this label in one wave")
      ->type_name("LABEL");
  plan->footer(
      "Waves hold whole groups (same kernel builds, same --by label value), largest first.\n\n"
      "Examples:\n"
      "  lucompat fleet plan --profile 2026.06\n"
      "  lucompat fleet plan --profile 2026.06 --waves 4 --by rack --where az=b\n\n"
      "Exit: 0 every host is ready; 1 some are blocked; 4 no hosts.");
  plan->callback([a, &result] { result = run_plan(*a); });

  CLI::App* status =
      fleet->add_subcommand("status", "Hosts per kernel build and per profile, stale reports");
  add_query(status, *a);
  status->add_option("--stale", a->stale, "Reports older than this are stale (default 24h)")
      ->type_name("AGE");
  status->add_option("--format", a->format, "text (default) or prometheus (metrics for a scrape)")
      ->check(CLI::IsMember({"text", "prometheus"}))
      ->type_name("FORMAT");
  status->footer(
      "Examples:\n"
      "  lucompat fleet status --stale 2h\n"
      "  lucompat fleet status --format prometheus > "
      "/var/lib/prometheus/node-exporter/fleet.prom\n\n"
      "Exit: 0; 3 the store cannot be read.");
  status->callback([a, &result] { result = run_status(*a); });
}

}  // namespace lucompat::cli
