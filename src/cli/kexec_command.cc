// lucompat kexec: the check, then kexec_file_load(2) of the very file that was
// checked, only on a compatible verdict.
#include <fcntl.h>
#include <linux/reboot.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/update_options.h"
#include "lucompat/base/fd.h"
#include "lucompat/host/system_root.h"
#include "lucompat/inspect/package.h"

namespace lucompat::cli {
namespace {

// include/uapi/linux/kexec.h
constexpr unsigned long kNoInitramfs = 0x4;  // KEXEC_FILE_NO_INITRAMFS

struct KexecArgs {
  UpdateArgs update;
  std::string initrd;
  std::string append;
  bool reuse_cmdline = false;
  bool exec = false;
  bool systemd = false;
  bool gate = false;
};

// What lucompat-kexec-gate must never pass on, and why. The gate hands its
// arguments to `lucompat kexec --gate`, so that they are read by this
// parser, whatever their spelling (--exec=true, --help=1), not by the
// gate's matching of words.
constexpr std::pair<std::string_view, std::string_view> kNotForTheGate[] = {
    {"--exec", "luoctl kexec boots the kernel"},
    {"--systemd", "luoctl kexec boots the kernel"},
    {"--json", "it prints the check's reasons"},
    {"--help",
     "it would print help and exit 0, which is not a load (the gate's own --help "
     "prints its usage)"},
};

Result<int> open_file(const std::string& path, const char* what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Error{ErrorKind::io, path, std::nullopt,
                 fmt::format("cannot open the {}: {}", what, std::strerror(errno))};
  return fd;
}

Result<std::string> command_line(const KexecArgs& a) {
  if (!a.reuse_cmdline) return a.append;
  LUCOMPAT_TRY(text, read_text(a.update.request.root.path("/proc/cmdline")));
  std::string s = *text;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s;
}

// Loads the checked kernel; a signature-enforcing kernel verifies this fd.
Result<void> load(const Fd& kernel, const KexecArgs& a, const std::string& path) {
  std::optional<Fd> initrd;
  unsigned long flags = 0;
  if (a.initrd.empty()) {
    flags |= kNoInitramfs;
  } else {
    LUCOMPAT_TRY(fd, open_file(a.initrd, "initrd"));
    initrd.emplace(*fd);
  }
  LUCOMPAT_TRY(cmdline, command_line(a));
  const int initrd_fd = initrd ? initrd->get() : -1;
  if (::syscall(SYS_kexec_file_load, kernel.get(), initrd_fd, cmdline->size() + 1, cmdline->c_str(),
                flags) != 0)
    return Error{ErrorKind::io, path, std::nullopt,
                 fmt::format("kexec_file_load refused the kernel: {}", std::strerror(errno))};
  return {};
}

// systemctl kexec executes the kernel that is loaded: it loads the default
// entry only when none is (src/systemctl/systemctl-start-special.c), so the
// checked kernel is the one that boots, after systemd has stopped the units
// and handed their fd stores to LUO.
Result<void> systemctl_kexec(const std::string& path) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0)
    return Error{ErrorKind::io, path, std::nullopt,
                 fmt::format("cannot run systemctl kexec: {}", std::strerror(errno))};
  if (pid == 0) {
    const char* argv[] = {"systemctl", "kexec", nullptr};
    ::execvp(argv[0], const_cast<char* const*>(argv));
    std::fprintf(stderr, "lucompat: cannot run systemctl: %s\n", std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return Error{ErrorKind::io, path, std::nullopt,
                   fmt::format("waiting for systemctl kexec: {}", std::strerror(errno))};
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  return Error{
      ErrorKind::io, path, std::nullopt,
      fmt::format("is loaded, but systemctl kexec {}; a later 'systemctl kexec' boots "
                  "the checked kernel (or 'kexec -u' unloads it)",
                  WIFEXITED(status) ? fmt::format("exited {}", WEXITSTATUS(status))
                                    : fmt::format("was killed by signal {}", WTERMSIG(status)))};
}

ExitCode run_kexec(KexecArgs& a, const CLI::App& sub) {
  if (a.gate)
    for (const auto& [flag, why] : kNotForTheGate)
      if (const CLI::Option* o = sub.get_option_no_throw(std::string(flag));
          o != nullptr && o->count() > 0)
        return static_cast<ExitCode>(refuse_for_gate(flag));
  // --next-entry: the entry's kernel and initrd (unless --initrd), and its
  // command line with --append's words added (unless --reuse-cmdline).
  std::string entry_initrd;
  // What systemctl kexec would load on its own: the default boot entry.
  if (a.systemd && a.update.request.next.empty() && !a.update.next_entry)
    a.update.next_entry = "default";
  auto finished = a.update.finish(&entry_initrd);
  if (!finished) return report_error(finished.error(), false, {});
  CheckRequest request = std::move(finished).value();
  if (a.update.next_entry) {
    if (a.initrd.empty()) a.initrd = entry_initrd;
    // The entry's options, then --append's words: the kernel takes the last
    // of a repeated parameter, so --append 'liveupdate=on' wins.
    const std::string options = request.next_cmdline.value_or("");
    if (!a.reuse_cmdline)
      a.append =
          options.empty() || a.append.empty() ? options + a.append : options + " " + a.append;
  }
  const std::string path = request.next;
  if (is_package_file(path))
    return report_error(Error{ErrorKind::unsupported, path, std::nullopt,
                              "is a package; kexec needs the kernel image itself"},
                        false, {});
  auto opened = open_file(path, "next kernel");
  if (!opened) return report_error(opened.error(), false, {});
  const Fd kernel(*opened);
  // The check reads the open file, not the path again: what is loaded below
  // is what was checked, even if the path is replaced meanwhile.
  request.next = fmt::format("/proc/self/fd/{}", kernel.get());
  // The command line the next kernel will boot with is known here: LUO
  // must be on in it (liveupdate=on), or nothing is restored.
  auto cmdline = command_line(a);
  if (!cmdline) return report_error(cmdline.error(), false, {});
  request.next_cmdline = *cmdline;
  const ExitCode verdict = check_and_print(request, a.update, path);
  if (verdict != ExitCode::ok) {
    std::fprintf(stderr, "lucompat: kexec refused: the check exited %d; nothing was loaded\n",
                 static_cast<int>(verdict));
    return verdict;
  }
  if (auto loaded = load(kernel, a, path); !loaded) return report_error(loaded.error(), false, {});
  if (a.systemd) {
    std::fprintf(stderr, "lucompat: %s is loaded; running systemctl kexec\n", path.c_str());
    if (auto done = systemctl_kexec(path); !done) return report_error(done.error(), false, {});
    return ExitCode::ok;
  }
  if (!a.exec) {
    std::fprintf(stderr, "lucompat: %s is loaded; 'luoctl kexec' or 'systemctl kexec' boots it\n",
                 path.c_str());
    return ExitCode::ok;
  }
  std::fflush(nullptr);
  ::sync();
  ::reboot(LINUX_REBOOT_CMD_KEXEC);
  return report_error(Error{ErrorKind::io, path, std::nullopt,
                            fmt::format("the kernel is loaded, but reboot into it failed: {}",
                                        std::strerror(errno))},
                      false, {});
}

}  // namespace

void add_kexec_command(CLI::App& app, ExitCode& result) {
  auto a = std::make_shared<KexecArgs>();
  CLI::App* sub = app.add_subcommand(
      "kexec",
      "Check the update, then load the next kernel with kexec_file_load only if compatible");
  sub->footer(
      "Runs 'lucompat check' on the update (every check option applies) and, only when the "
      "verdict\n"
      "is compatible, loads the very file that was checked with kexec_file_load(2), from the same\n"
      "open file: nothing can swap it between the check and the load. On any other verdict "
      "nothing\n"
      "is loaded and the exit code is the check's. The command line it loads (--append, or\n"
      "--reuse-cmdline) is checked too: a 6.19+ kernel needs liveupdate=on to restore anything.\n"
      "With --systemd, lucompat then runs 'systemctl kexec', which stops the units, hands the\n"
      "fd stores of those with FileDescriptorStorePreserve=yes to LUO and boots the loaded\n"
      "kernel; without a --next or --next-entry it checks the default boot entry, the one\n"
      "systemctl kexec would load. Without --systemd or --exec the kernel stays loaded for\n"
      "'systemctl kexec' or 'luoctl kexec'; with --exec lucompat syncs and reboots into it.\n\n"
      "Examples:\n"
      "  lucompat kexec --systemd\n"
      "  lucompat kexec --systemd --next-entry debian-7.3.5.conf --append 'quiet'\n"
      "  lucompat kexec --next /boot/vmlinuz-6.12.9 --initrd /boot/initrd.img-6.12.9 "
      "--reuse-cmdline\n"
      "  lucompat kexec --next /boot/vmlinuz-6.12.9 --profile 2026.06 --reuse-cmdline --exec\n\n"
      "Exit: 0 loaded (or, with --exec, never returns); 1 incompatible; 2 usage; 3 unreadable or\n"
      "the load was refused; 4 undecided. Needs root (CAP_SYS_BOOT). See lucompat(1).");
  add_update_options(sub, a->update);
  add_detail_flags(sub, a->update);
  sub->add_flag("--strict", a->update.request.strict,
                "Fail when an optional family cannot be restored");
  sub->add_option("--profile", a->update.request.profile, "Check under this profile")
      ->type_name("PROFILE");
  sub->add_option("--initrd", a->initrd, "The initramfs to load with the kernel")
      ->type_name("FILE");
  auto* append = sub->add_option("--append", a->append, "The next kernel's command line")
                     ->type_name("CMDLINE");
  sub->add_flag("--reuse-cmdline", a->reuse_cmdline,
                "The running kernel's command line (/proc/cmdline)")
      ->excludes(append);
  auto* exec = sub->add_flag("--exec", a->exec, "Reboot into the loaded kernel at once");
  sub->add_flag("--systemd", a->systemd,
                "Then run 'systemctl kexec' (the default boot entry unless --next or "
                "--next-entry)")
      ->excludes(exec);
  sub->add_flag("--gate", a->gate,
                "Refuse --exec, --json and --help in any spelling: how lucompat-kexec-gate "
                "runs kexec");
  sub->callback([a, sub, &result] { result = run_kexec(*a, *sub); });
}

bool kexec_gate_given(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands())  // the parsed ones
    if (sub->get_name() == "kexec")
      if (const CLI::Option* gate = sub->get_option_no_throw("--gate")) return gate->count() > 0;
  return false;
}

int refuse_for_gate(std::string_view flag) {
  for (const auto& [f, why] : kNotForTheGate)
    if (f == flag)
      std::fprintf(stderr, "lucompat: %.*s is not for the gate: %.*s\n", static_cast<int>(f.size()),
                   f.data(), static_cast<int>(why.size()), why.data());
  return static_cast<int>(ExitCode::usage);
}

}  // namespace lucompat::cli
