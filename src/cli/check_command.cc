#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "lucompat/check/update_check.h"
#include "lucompat/report/check_report.h"

namespace lucompat::cli {
namespace {

struct CheckArgs {
  CheckRequest request;
  std::string root = "/";
  std::vector<std::string> uses;
  bool json = false;
};

std::vector<std::string> split_commas(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    std::stringstream s(item);
    for (std::string part; std::getline(s, part, ',');)
      if (!part.empty()) out.push_back(part);
  }
  return out;
}

ExitCode run_check_command(CheckArgs& args) {
  args.request.root = SystemRoot(args.root);
  args.request.uses = split_commas(args.uses);
  const auto outcome = run_check(args.request);
  if (!outcome) {
    const Error& e = outcome.error();
    std::fprintf(stderr, "lucompat: %s\n", e.to_string().c_str());
    const ExitCode code = e.kind == ErrorKind::usage ? ExitCode::usage : ExitCode::bad_input;
    if (args.json) std::fputs((check_error_json(e, code).dump(2) + "\n").c_str(), stdout);
    return code;
  }
  const std::string out = args.json ? check_json(*outcome).dump(2) + "\n" : check_text(*outcome);
  std::fputs(out.c_str(), stdout);
  return exit_code(outcome->report.verdict);
}

}  // namespace

void add_check_command(CLI::App& app, ExitCode& result) {
  auto args = std::make_shared<CheckArgs>();
  CheckRequest& req = args->request;
  CLI::App* sub = app.add_subcommand(
      "check", "Will the next kernel restore everything the current one hands over at kexec?");
  sub->footer(
      "Crosses the current kernel (by default the running one, found on disk and proven by its\n"
      "banner) with the next one, family by family: the core ABI (luo-vN) must match or the\n"
      "next kernel panics; for every family in use, what the current kernel can write (its table,\n"
      "narrowed by --emit pins) must be read by the next one. Module tables join their kernel's.\n\n"
      "Examples:\n"
      "  lucompat check --next /boot/vmlinuz-6.12.9\n"
      "  lucompat check --next linux-image-6.12.9_amd64.deb --pid $(pidof qemu-system-x86_64)\n"
      "  lucompat check --current old.efi --next new.efi --uses memfd,vfio-pci --emit memfd=memfd-v1\n\n"
      "Exit: 0 compatible (optional losses are warnings unless --strict); 1 incompatible;\n"
      "2 usage; 3 an input is unreadable; 4 undecided (e.g. pin a family with --emit).\n"
      "Policy and flags: docs/check.md. JSON schema: docs/json-schema.md (lucompat.check/1).");
  sub->add_option("--next", req.next, "The kernel to kexec into: an image or a .deb/.rpm package")
      ->required()
      ->type_name("PATH");
  sub->add_option("--current", req.current,
                  "The kernel handing over: 'running' (default) or an image")
      ->type_name("running|PATH");
  sub->add_option("--current-modules", req.current_modules,
                  "Module tree whose tables join the current kernel's (default /lib/modules/R)")
      ->type_name("DIR");
  sub->add_option("--next-modules", req.next_modules,
                  "Module tree whose tables join the next kernel's (default /lib/modules/R)")
      ->type_name("DIR");
  sub->add_flag("--no-modules", req.no_modules, "Do not join the default /lib/modules/R trees");
  sub->add_option("--root", args->root, "Read /proc, /boot, /lib/modules and /etc under DIR")
      ->type_name("DIR");
  sub->add_option("--catalog", req.catalogs, "More handler families (TOML), after /etc/lucompat/catalog.d")
      ->type_name("FILE");
  sub->add_option("--uses", args->uses, "Families in use, comma-separated (e.g. memfd,vfio-pci)")
      ->type_name("LIST");
  sub->add_option("--pid", req.pids, "A process whose fds are preserved (repeatable)")->type_name("PID");
  sub->add_option("--manifest", req.manifest, "Sessions and the families they use (TOML)")
      ->type_name("FILE");
  sub->add_option("--emit", req.emits,
                  "What the running kernel emits for a family, e.g. memfd=memfd-v1 (repeatable)")
      ->type_name("FAMILY=STRING");
  sub->add_flag("--strict", req.strict, "Fail when an optional family cannot be restored");
  sub->add_flag("--json", args->json, "Print the verdict as JSON");
  sub->add_option("-j,--jobs", req.jobs, "Threads for module trees (default: one per core)")
      ->check(CLI::Range(1u, 1024u))
      ->type_name("N");
  sub->callback([args, &result] { result = run_check_command(*args); });
}

}  // namespace lucompat::cli
