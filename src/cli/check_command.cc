#include <cstdio>
#include <memory>

#include "cli/colour.h"
#include "cli/commands.h"
#include "cli/terminal.h"
#include "cli/update_options.h"
#include "lucompat/base/json_dump.h"
#include "lucompat/report/check_report.h"

namespace lucompat::cli {
ExitCode check_and_print(const CheckRequest& request, const UpdateArgs& args,
                         const std::string& next_shown) {
  const bool json = args.json;
  auto outcome = run_check(request);
  if (outcome && !next_shown.empty()) outcome->next.path = next_shown;
  if (!outcome) {
    const Error& e = outcome.error();
    return report_error(e, json, check_error_json(e, exit_code(e.kind)));
  }
  const std::string out = json         ? dump_json(check_json(*outcome), 2) + "\n"
                          : args.quiet ? check_verdict_line(*outcome, colour_wanted())
                                       : check_text(*outcome, colour_wanted(), args.verbose);
  if (json)
    std::fputs(out.c_str(), stdout);
  else
    print_report(out);
  return exit_code(outcome->report.verdict);
}

void add_check_command(CLI::App& app, ExitCode& result) {
  auto args = std::make_shared<UpdateArgs>();
  CLI::App* sub = app.add_subcommand(
      "check", "Will the next kernel restore everything the current one hands over at kexec?");
  sub->footer(
      "Crosses the current kernel (by default the running one, found on disk and proven by its\n"
      "banner) with the next one, family by family: the core ABI (luo-vN) must match or the\n"
      "next kernel panics; for every family in use, what the current kernel can write (its table,\n"
      "narrowed by --emit pins) must be read by the next one. Module tables join their kernel's.\n"
      "With --profile (or a profile in /etc/lucompat/host.toml), the profile's strings are the\n"
      "families in use, pinned and required or optional as it says.\n\n"
      "Examples:\n"
      "  lucompat check --next /boot/vmlinuz-6.12.9\n"
      "  lucompat check --next linux-image-6.12.9_amd64.deb --pid $(pidof qemu-system-x86_64)\n"
      "  lucompat check --current old.efi --next new.efi --uses memfd,vfio-pci --emit "
      "memfd=memfd-v1\n"
      "  lucompat check --next /boot/vmlinuz-6.12.9 --profile 2026.06\n\n"
      "Exit: 0 compatible (optional losses are warnings unless --strict); 1 incompatible;\n"
      "2 usage; 3 an input is unreadable; 4 undecided (e.g. pin a family with --emit).\n"
      "Policy and flags: lucompat(1). JSON (" +
      std::string(kCheckSchema) +
      "): json-schema.md in the documentation\n"
      "directory (/usr/share/doc/lucompat).");
  add_update_options(sub, *args);
  add_detail_flags(sub, *args);
  sub->add_flag("--strict", args->request.strict,
                "Fail when an optional family cannot be restored");
  sub->add_option("--profile", args->request.profile,
                  "Check under this profile's pins and policy (default: host.toml's profile)")
      ->type_name("PROFILE");
  sub->callback([args, &result] {
    auto request = args->finish();
    result = request
                 ? check_and_print(*request, *args)
                 : report_error(request.error(), args->json,
                                check_error_json(request.error(), exit_code(request.error().kind)));
  });
}

}  // namespace lucompat::cli
