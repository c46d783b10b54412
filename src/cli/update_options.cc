#include "cli/update_options.h"

#include <fmt/format.h>

#include "cli/flag_checks.h"
#include "lucompat/base/json_dump.h"
#include "lucompat/host/boot_entries.h"

#include <cstdio>
#include <sstream>

namespace lucompat::cli {

Result<CheckRequest> UpdateArgs::finish(std::string* initrd) const {
  CheckRequest r = request;
  r.root = SystemRoot(root);
  if (r.next.empty() == !next_entry.has_value())
    return Error{ErrorKind::usage, "", std::nullopt,
                 r.next.empty() ? "--next PATH or --next-entry ID|default is required (see --help)"
                                : "--next and --next-entry both name the next kernel: give one"};
  if (next_entry) {
    if (r.next_cmdline)
      return Error{ErrorKind::usage, "", std::nullopt,
                   "--next-cmdline and --next-entry: the boot entry gives the command line"};
    LUCOMPAT_TRY(chosen, choose_boot_entry(r.root, *next_entry));
    r.next = chosen->entry.kernel;
    r.next_cmdline = chosen->entry.options;
    if (initrd != nullptr && !chosen->entry.initrds.empty()) *initrd = chosen->entry.initrds[0];
    r.next_from = fmt::format("the next kernel is boot entry {} ({}), {}", chosen->entry.id,
                              chosen->entry.path, chosen->why);
  }
  r.pids = split_pids(pids);
  for (const auto& item : uses) {
    std::stringstream s(item);
    for (std::string part; std::getline(s, part, ',');)
      if (!part.empty()) r.uses.push_back(part);
  }
  return r;
}

void add_update_options(CLI::App* sub, UpdateArgs& args) {
  CheckRequest& req = args.request;
  sub->add_option("--next", req.next, "The kernel to kexec into: an image or a .deb/.rpm package")
      ->type_name("PATH");
  sub->add_option("--next-entry", args.next_entry,
                  "Instead of --next: a boot loader entry (type 1 or UKI), or 'default', the one "
                  "systemctl kexec loads; its kernel, initrd and command line")
      ->type_name("ID|default");
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
  if (sub->get_name() == "check")
    sub->add_option("--next-cmdline", req.next_cmdline,
                    "The next kernel's command line, checked for liveupdate=on (kexec knows it "
                    "from --append or --reuse-cmdline)")
        ->type_name("CMDLINE");
  sub->add_flag("--trust-scan", req.trust_scan,
                "Judge a kernel whose strings rest only on a scan of its bytes (no symbols); "
                "without it such a verdict is undecided");
  sub->add_option("--root", args.root, "Read /proc, /boot, /lib/modules and /etc under DIR")
      ->type_name("DIR");
  sub->add_option("--catalog", req.catalogs,
                  "More handler families (TOML), after /etc/lucompat/catalog.d")
      ->type_name("FILE");
  sub->add_option("--profiles", req.profile_files,
                  "More profiles (TOML), after /etc/lucompat/profiles.d")
      ->type_name("FILE");
  sub->add_option("--uses", args.uses, "Families in use, comma-separated (e.g. memfd,vfio-pci)")
      ->type_name("FAMILIES");
  sub->add_option("--pid", args.pids,
                  "Processes whose fds are preserved: \"$(pidof qemu-system-x86_64)\" (repeatable)")
      ->check(pid_list())
      ->type_name("PID...");
  sub->add_option("--process", req.processes,
                  "Every process of this name (its /proc/PID/comm) preserves fds (repeatable)")
      ->check(non_empty())
      ->type_name("PROCESS");
  sub->add_option("--manifest", req.manifest, "Sessions and the families they use (TOML)")
      ->type_name("FILE");
  sub->add_option("--emit", req.emits,
                  "What the running kernel emits for a family, e.g. memfd=memfd-v1 (repeatable)")
      ->type_name("FAMILY=STRING");
  sub->add_option("-j,--jobs", req.jobs, "Threads for module trees (default: one per core)")
      ->check(CLI::Range(1u, 1024u))
      ->type_name("N");
  sub->add_flag("--json", args.json, "Print JSON");
}

void add_detail_flags(CLI::App* sub, UpdateArgs& args) {
  CLI::Option* verbose = sub->add_flag(
      "-v,--verbose", args.verbose, "Also say why each compatible family passes and what uses it");
  sub->add_flag("-q,--quiet", args.quiet,
                "Print the verdict line alone (the exit code says it too)")
      ->excludes(verbose);
}

ExitCode report_error(const Error& e, bool json, const nlohmann::json& doc) {
  std::fprintf(stderr, "lucompat: %s\n", e.to_string().c_str());
  if (json) std::fputs((dump_json(doc, 2) + "\n").c_str(), stdout);
  return exit_code(e.kind);
}

ExitCode report_error(const Error& e, bool json) {
  return report_error(e, json, {{"error", error_json(e)}});
}

}  // namespace lucompat::cli
