#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/update_options.h"
#include "lucompat/base/json_dump.h"
#include "lucompat/base/printable.h"
#include "lucompat/fleet/collect.h"
#include "lucompat/fleet/store.h"
#include "lucompat/fleet_report/prometheus.h"

namespace lucompat::cli {
namespace {

struct ReportArgs {
  ReportRequest request;
  std::string root = "/";
  std::string store;
  std::string format = "json";
};

// The staged kernel's verdict for the metrics: the check the operator would
// run (host.toml's pins and profile apply), on the same kernels.
Result<std::optional<CheckReport>> staged_verdict(const ReportRequest& request) {
  if (request.kernels.next.empty()) return std::optional<CheckReport>();
  LUCOMPAT_TRY(outcome, run_check(request.kernels));
  return std::optional<CheckReport>(std::move(outcome->report));
}

ExitCode run_report(ReportArgs& a) {
  a.request.kernels.root = SystemRoot(a.root);
  auto report = collect_report(a.request);
  if (!report) return report_error(report.error(), false, {});
  if (a.format == "prometheus") {
    auto verdict = staged_verdict(a.request);
    if (!verdict) return report_error(verdict.error(), false, {});
    std::fputs(report_prometheus(*report, *verdict).c_str(), stdout);
    return ExitCode::ok;
  }
  if (a.store.empty()) {
    std::fputs((dump_json(report_json(*report), 2) + "\n").c_str(), stdout);
    return ExitCode::ok;
  }
  auto store = open_store(a.store);
  if (!store) return report_error(store.error(), false, {});
  auto done = (*store)->ingest({*report});
  if (!done) return report_error(done.error(), false, {});
  std::fprintf(stderr, "lucompat: report of %s stored in %s\n", printable(report->host).c_str(),
               printable(store_name(a.store)).c_str());
  return ExitCode::ok;
}

}  // namespace

void add_report_command(CLI::App& app, ExitCode& result) {
  auto a = std::make_shared<ReportArgs>();
  CheckRequest& k = a->request.kernels;
  CLI::App* sub = app.add_subcommand("report", "This host's report for the fleet store (JSON)");
  sub->footer(
      "Prints a lucompat.report/2 document (json-schema.md in /usr/share/doc/lucompat): the host,\n"
      "its labels, the\n"
      "collection time, the running kernel's identity and table (modules included), the staged\n"
      "next kernel's when --next is given, and the profile and VMM features from host.toml.\n\n"
      "Examples:\n"
      "  lucompat report --label rack=r12 --next /boot/vmlinuz-6.12.9 > report.json\n"
      "  lucompat report --store sqlite:/var/lib/lucompat/fleet.db\n"
      "  lucompat report --next /boot/vmlinuz-6.12.9 --format prometheus \\\n"
      "      > /var/lib/prometheus/node-exporter/lucompat.prom\n\n"
      "With --format prometheus and --next, the staged kernel is also checked against the\n"
      "running one as 'lucompat check' would (host.toml's pins and profile apply), and the\n"
      "verdict is a metric. See lucompat(1) and the fleet page of the documentation.");
  sub->add_option("--next", k.next, "The staged next kernel: an image or a package")
      ->type_name("PATH");
  sub->add_option("--current", k.current,
                  "The kernel handing over: 'running' (default) or an image")
      ->type_name("running|PATH");
  sub->add_option("--current-modules", k.current_modules, "Module tree of the current kernel")
      ->type_name("DIR");
  sub->add_flag("--no-modules", k.no_modules, "Do not join /lib/modules/R");
  sub->add_option("--root", a->root, "Read /proc, /boot, /lib/modules and /etc under DIR")
      ->type_name("DIR");
  sub->add_option("--catalog", k.catalogs, "More handler families (TOML)")->type_name("FILE");
  sub->add_option("--profiles", k.profile_files, "More profiles (TOML)")->type_name("FILE");
  sub->add_option("--host", a->request.host, "The host's name (default: its host name)")
      ->type_name("NAME");
  sub->add_option("--label", a->request.labels, "A label for fleet queries (repeatable)")
      ->type_name("KEY=VALUE");
  sub->add_option("--store", a->store, "Store the report instead of printing it")->type_name("URL");
  CLI::Option* format =
      sub->add_option("--format", a->format,
                      "json (a lucompat.report/2 document) or prometheus (metrics)")
          ->check(CLI::IsMember({"json", "prometheus"}))
          ->type_name("FORMAT");
  // JSON is report's default; --json says so as every other command does.
  sub->add_flag_callback(
         "--json", [a] { a->format = "json"; }, "Print JSON (the default; as --format json)")
      ->excludes(format);
  sub->callback([a, &result] { result = run_report(*a); });
}

}  // namespace lucompat::cli
