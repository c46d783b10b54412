#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>
#include "cli/colour.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "cli/terminal.h"
#include "lucompat/base/json_dump.h"

#include <filesystem>

#include "lucompat/check/update_check.h"
#include "lucompat/host/live_kernel.h"
#include "lucompat/inspect/inspect.h"
#include "lucompat/inspect/module_tree.h"
#include "lucompat/inspect/package.h"
#include "lucompat/report/inspect_report.h"
#include "lucompat/report/module_tree_report.h"
#include "lucompat/report/package_report.h"

namespace lucompat::cli {
namespace {

struct InspectArgs {
  std::vector<std::string> paths;
  bool json = false;
  bool verbose = false;
  unsigned jobs = 0;
  uint64_t max_zstd_window = kDefaultMaxZstdWindow;
  InspectOptions options;
  bool running = false;
  std::string root = "/";
  std::vector<std::string> catalogs;
};

// "\rinspecting modules 120/4000" on a terminal; nothing in a pipe or a log.
void show_progress(size_t done, size_t total) {
  static const bool tty = ::isatty(STDERR_FILENO) != 0;
  if (!tty) return;
  if (done < total)
    std::fprintf(stderr, "\rlucompat: inspecting modules %zu/%zu", done, total);
  else
    std::fputs("\r\033[K", stderr);
}

// "\rlucompat: reading the package: 45% (120 members inspected)": a debug
// package takes minutes, most of it inside one member.
void show_package_progress(size_t members, uint64_t read, uint64_t size) {
  static const bool tty = ::isatty(STDERR_FILENO) != 0;
  if (!tty) return;
  if (read >= size) {
    std::fputs("\r\033[K", stderr);
    return;
  }
  std::fprintf(stderr, "\rlucompat: reading the package: %u%% (%zu members inspected)",
               static_cast<unsigned>(read * 100 / size), members);
}

// What the inputs came to: their documents, their text, and the exit code.
class Outcome {
 public:
  void error(const Error& e) {
    any_error_ = true;
    print_error(e);
    docs_.push_back(inspect_error_json(e));
  }
  // `errors` counts the members (modules, a package's kernels) that failed;
  // their lines were printed by print_errors.
  void add(nlohmann::json doc, const std::string& text, size_t errors, bool answered) {
    any_error_ |= errors != 0;
    any_missing_ |= !answered;
    docs_.push_back(std::move(doc));
    if (!text_.empty()) text_ += '\n';
    text_ += text;
  }
  static void print_error(const Error& e) {
    std::fprintf(stderr, "lucompat: %s\n", e.to_string().c_str());
  }
  static void print_errors(const ModuleTree& tree) {
    for (const auto& m : tree.modules)
      if (!m.result) print_error(m.result.error());
  }
  ExitCode finish(bool json) const {
    if (json) {
      std::fputs((dump_json(docs_, 2) + "\n").c_str(), stdout);
    } else {
      print_report(text_);
    }
    if (any_error_) return ExitCode::bad_input;
    if (any_missing_) return ExitCode::undecidable;
    return ExitCode::ok;
  }

 private:
  bool any_error_ = false;
  bool any_missing_ = false;
  nlohmann::json docs_ = nlohmann::json::array();
  std::string text_;
};

void inspect_tree(const std::string& path, const InspectArgs& args, Outcome& out) {
  auto tree = inspect_module_tree(path, args.options, args.jobs, show_progress);
  if (!tree) return out.error(tree.error());
  Outcome::print_errors(*tree);
  out.add(module_tree_json(*tree), module_tree_text(*tree, args.verbose), tree->errors,
          tree->with_table != 0);
}

void inspect_package_file(const std::string& path, const InspectArgs& args, Outcome& out) {
  auto pkg = inspect_package(path, args.options, args.jobs, show_package_progress);
  if (!pkg) return out.error(pkg.error());
  for (const auto& k : pkg->kernels)
    if (!k.result) Outcome::print_error(k.result.error());
  Outcome::print_errors(pkg->modules);
  out.add(package_json(*pkg), package_text(*pkg, args.verbose), package_errors(*pkg),
          package_has_table(*pkg));
}

void inspect_live(const InspectArgs& args, Outcome& out) {
  const SystemRoot root(args.root);
  auto catalog = load_catalog(root, args.catalogs);
  if (!catalog) return out.error(catalog.error());
  const Result<Inspection> r = inspect_running(live_query_from(*catalog, root));
  if (!r) return out.error(r.error());
  out.add(inspect_json(*r), inspect_text(*r, colour_wanted()), 0, answers_fully(*r));
}

ExitCode run_inspect(InspectArgs& args) {
  set_max_zstd_window(args.max_zstd_window);
  Outcome out;
  if (args.running) {
    inspect_live(args, out);
    return out.finish(args.json);
  }
  // Files are searched for the site's core and subtree families too, as
  // check and the running kernel are.
  auto catalog = load_catalog(SystemRoot(args.root), args.catalogs);
  if (!catalog) {
    out.error(catalog.error());
    return out.finish(args.json);
  }
  args.options.core_forms = catalog->core_forms();
  for (const auto& path : args.paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      inspect_tree(path, args, out);
    } else if (is_package_file(path)) {
      inspect_package_file(path, args, out);
    } else if (const Result<Inspection> r = inspect_file(path, args.options); r) {
      out.add(inspect_json(*r), inspect_text(*r, colour_wanted()), 0, answers_fully(*r));
    } else {
      out.error(r.error());
    }
  }
  return out.finish(args.json);
}

constexpr std::string_view kInspectFooter =
    "Reads every kernel artifact by its content, whatever its name: x86 bzImage (gzip, xz,\n"
    "lzma, bzip2, lzo, lz4, zstd), EFI-stub kernels and UKIs, EFI zboot, arm64 and riscv\n"
    "Image (raw or compressed), ARM zImage and s390x images, vmlinux, modules (.ko, .ko.gz,\n"
    ".ko.xz, .ko.zst) and objects, of any architecture and byte order. Shows the chain of\n"
    "containers, the kernel's identity and where the table was found.\n\n"
    "A directory is a module tree: every *.ko, *.ko.gz, *.ko.xz and *.ko.zst below it is\n"
    "inspected in parallel, and the report says which modules contribute which entries.\n"
    "A .deb or .rpm package is read without unpacking: its kernel image(s) and modules.\n\n"
    "Examples:\n"
    "  lucompat inspect /boot/vmlinuz-$(uname -r)\n"
    "  lucompat inspect --json /lib/modules/$(uname -r)/kernel/drivers/vfio/pci/vfio-pci.ko.xz\n"
    "  lucompat inspect -v /lib/modules/$(uname -r)\n"
    "  lucompat inspect linux-image-6.1.0-56-amd64_6.1.192-2_amd64.deb\n"
    "  lucompat inspect --max-output 256MiB untrusted-download.efi\n"
    "  lucompat inspect --early-exit --json build/*/arch/x86/boot/bzImage\n"
    "  sudo lucompat inspect --running\n\n"
    "--running reads what the running kernel has registered now, in its memory: root only\n"
    "(/proc/kcore, /proc/kallsyms addresses); see docs/kexec.md.\n\n"
    "Exit: 0 every input has a table; 3 an input could not be read; 4 an input has no table.\n"
    "JSON (lucompat.inspect/2): json-schema.md in /usr/share/doc/lucompat. See lucompat(1).";

// The caps on what one input may cost; returns --max-output, whose absence
// lets a package's budget grow with its size.
CLI::Option* add_inspect_limits(CLI::App& sub, InspectArgs& args) {
  CLI::Option* max_output =
      sub.add_option("--max-output", args.options.unwrap.max_output,
                     "Refuse to decompress more than this from one input, all its layers and, "
                     "for a tree or package, all its members together (default 1GiB; for a "
                     "package, 8 times its size when that is more)")
          ->check(unsigned_value())
          ->transform(CLI::AsSizeValue(false))
          ->type_name("SIZE");
  sub.add_option("--max-zstd-window", args.max_zstd_window,
                 "Refuse zstd frames whose window is larger than this; also the windows of all "
                 "threads together (default 128MiB)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(uint64_t{1} << 10, uint64_t{1} << 31))
      ->type_name("SIZE");
  sub.add_option("--max-file-size", args.options.max_file_size,
                 "Refuse input files, and package members, larger than this (default 4GiB)")
      ->check(unsigned_value())
      ->transform(CLI::AsSizeValue(false))
      ->type_name("SIZE");
  sub.add_option("--max-entries", args.options.max_entries,
                 "Refuse tables with more entries than this (at most and by default 4096)")
      ->check(CLI::Range(uint64_t{0}, uint64_t{kMaxTableEntries}))
      ->type_name("N");
  sub.add_option("--max-members", args.options.max_members,
                 "Refuse packages with more kernel images and modules than this (default 100000)")
      ->check(unsigned_value())
      ->type_name("N");
  sub.add_option("--max-depth", args.options.unwrap.max_depth,
                 "Refuse inputs with more nested containers than this (default 6)")
      ->check(CLI::Range(1, 64))
      ->type_name("N");
  return max_output;
}

}  // namespace

void add_inspect_command(CLI::App& app, ExitCode& result) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* sub = app.add_subcommand(
      "inspect",
      "What kernels, modules and objects can hand over (their LUO strings) and who they are");
  sub->footer(std::string(kInspectFooter));
  CLI::Option* paths =
      sub->add_option("paths", args->paths,
                      "Kernel images, modules, object files, or module trees (directories)")
          ->type_name("PATH");
  CLI::Option* running =
      sub->add_flag(
             "--running", args->running,
             "The handlers, FLBs and core strings registered now in the running kernel, read "
             "through /proc/kcore (root); instead of PATHs")
          ->excludes(paths);
  sub->add_option("--root", args->root, "With --running: read /proc and /sys under DIR")
      ->needs(running)
      ->type_name("DIR");
  sub->add_option("--catalog", args->catalogs,
                  "A catalog (TOML) after the shipped one and /etc/lucompat/catalog.d: its core "
                  "and subtree families are looked for in every kernel, and with --running its "
                  "[registration_lists] names the kernel's list heads")
      ->allow_extra_args(false)  // one FILE each: the PATHs follow
      ->type_name("FILE");
  sub->add_flag("--json", args->json,
                "Print JSON: an array of documents, one per path, however many");
  sub->add_flag("-v,--verbose", args->verbose, "List the modules of a tree that have no table");
  sub->add_flag("--early-exit", args->options.unwrap.early_exit,
                "Stop decompressing a kernel once the segment holding its table has passed "
                "(faster; skips the stream's integrity check and the section headers)");
  sub->add_option("-j,--jobs", args->jobs, "Threads for a module tree (default: one per core)")
      ->check(CLI::Range(1u, 1024u))
      ->type_name("N");
  CLI::Option* max_output = add_inspect_limits(*sub, *args);
  sub->callback([args, max_output, &result] {
    args->options.max_output_given = max_output->count() > 0;
    if (!args->running && args->paths.empty())
      throw CLI::RequiredError("PATH (a kernel, module, tree or package) or --running");
    result = run_inspect(*args);
  });
}

}  // namespace lucompat::cli
