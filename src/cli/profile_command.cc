#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/colour.h"
#include "cli/commands.h"
#include "cli/update_options.h"
#include "lucompat/base/json_dump.h"
#include "lucompat/host/usage.h"
#include "lucompat/report/profile_report.h"

namespace lucompat::cli {
namespace {

struct ProfileArgs {
  std::string root = "/";
  std::vector<std::string> catalogs;
  std::vector<std::string> files;
  bool json = false;
  std::string name;                  // show, env
  std::string format = "shell";      // env
  std::vector<std::string> kernels;  // matrix
  std::vector<std::string> only;     // matrix --profile
  UpdateArgs update;                 // select
};

void add_config_options(CLI::App* sub, ProfileArgs& a) {
  sub->add_option("--profiles", a.files, "More profiles (TOML), after /etc/lucompat/profiles.d")
      ->type_name("FILE");
  sub->add_option("--catalog", a.catalogs, "More handler families (TOML)")->type_name("FILE");
  sub->add_option("--root", a.root, "Read /etc under DIR")->type_name("DIR");
  sub->add_flag("--json", a.json, "Print JSON");
}

struct Loaded {
  Catalog catalog;
  ProfileSet profiles;
  std::vector<ConfigWarning> warnings;
};

// Profiles and their validation: the set's own warnings, and a host.toml
// that still names a retired profile.
Result<Loaded> load(const ProfileArgs& a) {
  const SystemRoot root(a.root);
  LUCOMPAT_TRY(catalog, load_catalog(root, a.catalogs));
  LUCOMPAT_TRY(profiles, load_profiles(root, a.files, *catalog));
  Loaded out{std::move(catalog).value(), std::move(profiles).value(), {}};
  out.warnings = out.profiles.warnings();
  if (auto text = read_text(root.path("/etc/lucompat/host.toml"))) {
    LUCOMPAT_TRY(host, read_host_config(*text, root.path("/etc/lucompat/host.toml"), out.catalog));
    if (const Profile* p = out.profiles.find(host->profile);
        p && p->status == ProfileStatus::retired)
      out.warnings.push_back(
          {host->profile_at, fmt::format("profile {} is retired but still referenced", p->name)});
    else if (!host->profile.empty() && p == nullptr)
      out.warnings.push_back(
          {host->profile_at, fmt::format("no profile \"{}\" is defined", host->profile)});
  }
  return out;
}

ExitCode print(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  return ExitCode::ok;
}

Error no_such_profile(const std::string& name) {
  return Error{ErrorKind::usage,
               {},
               std::nullopt,
               fmt::format("no profile \"{}\" (see lucompat profile list)", name)};
}

ExitCode run_list(const ProfileArgs& a) {
  auto l = load(a);
  if (!l) return report_error(l.error(), a.json);
  return print(a.json ? dump_json(profiles_json(l->profiles, l->warnings), 2) + "\n"
                      : profiles_text(l->profiles, l->warnings));
}

ExitCode run_show(const ProfileArgs& a) {
  auto l = load(a);
  if (!l) return report_error(l.error(), a.json);
  const Profile* p = l->profiles.find(a.name);
  if (p == nullptr) return report_error(no_such_profile(a.name), a.json);
  if (a.json) return print(dump_json(profile_json(*p), 2) + "\n");
  std::string out = fmt::format("{}\n  status       {}\n", p->name, name(p->status));
  if (!p->description.empty()) out += fmt::format("  description  {}\n", p->description);
  for (const auto& s : p->requires_) out += fmt::format("  requires     {}\n", s);
  for (const auto& s : p->optional) out += fmt::format("  optional     {}\n", s);
  for (const auto& s : p->vmm_features) out += fmt::format("  vmm feature  {}\n", s);
  return print(out + fmt::format("  defined at   {}\n", p->source));
}

ExitCode run_env(const ProfileArgs& a) {
  auto l = load(a);
  if (!l) return report_error(l.error(), false);
  const Profile* p = l->profiles.find(a.name);
  if (p == nullptr) return report_error(no_such_profile(a.name), false);
  if (p->status == ProfileStatus::retired)
    return report_error(
        Error{ErrorKind::malformed,
              {},
              std::nullopt,
              fmt::format("profile {} is retired: no VMM should start with it", p->name)},
        false);
  if (p->status == ProfileStatus::deprecated)
    std::fprintf(stderr, "lucompat: warning: profile %s is deprecated\n", p->name.c_str());
  return print(profile_env(*p, a.format));
}

ExitCode run_select(const ProfileArgs& a) {
  auto request = a.update.finish();
  if (!request) return report_error(request.error(), a.update.json);
  auto in = load_update(*request);
  if (!in) return report_error(in.error(), a.update.json);
  if (in->profiles.profiles().empty())
    return report_error(
        Error{ErrorKind::malformed,
              {},
              std::nullopt,
              "no profiles to select from (define them in /etc/lucompat/profiles.d or give "
              "--profiles FILE)"},
        a.update.json);
  // Every pin is what the operator knows the running kernel emits, from
  // host.toml or --emit alike.
  const Selection s = select_profile(in->profiles, in->catalog, in->current.strings,
                                     in->next.strings, in->policy.pins);
  print(a.update.json ? dump_json(selection_json(s, *in), 2) + "\n"
                      : selection_text(s, *in, colour_wanted()));
  if (in->no_table) return ExitCode::undecidable;
  return s.selected != nullptr ? ExitCode::ok : ExitCode::incompatible;
}

ExitCode run_matrix(const ProfileArgs& a) {
  auto l = load(a);
  if (!l) return report_error(l.error(), a.json);
  Matrix m;
  for (const auto& p : l->profiles.profiles()) {
    const bool named = std::find(a.only.begin(), a.only.end(), p.name) != a.only.end();
    if (a.only.empty() ? p.status != ProfileStatus::retired : named) m.profiles.push_back(&p);
  }
  for (const auto& n : a.only)
    if (l->profiles.find(n) == nullptr) return report_error(no_such_profile(n), a.json);
  CheckRequest req;
  req.root = SystemRoot(a.root);
  for (const auto& path : a.kernels) {
    auto k = load_kernel(path, req);
    if (!k) return report_error(k.error(), a.json);
    MatrixRow row{std::move(k).value(), {}};
    // A kernel with no version set proves nothing: not "missing" every
    // string; unless its complete symbols show it has no LUO at all, which
    // is a definite "supports nothing".
    if (!has_version_set(row.kernel.kernel) &&
        luo_presence(row.kernel.kernel) != LuoPresence::absent) {
      m.undecided = true;
      m.rows.push_back(std::move(row));
      continue;
    }
    for (const Profile* p : m.profiles) {
      row.missing.push_back(missing_for_kernel(*p, row.kernel.strings));
      if (!row.missing.back().empty() && p->status == ProfileStatus::active) m.gate_passes = false;
    }
    m.rows.push_back(std::move(row));
  }
  print(a.json ? dump_json(matrix_json(m), 2) + "\n" : matrix_text(m, colour_wanted()));
  if (m.undecided) return ExitCode::undecidable;
  return m.gate_passes ? ExitCode::ok : ExitCode::incompatible;
}

}  // namespace

void add_profile_command(CLI::App& app, ExitCode& result) {
  auto a = std::make_shared<ProfileArgs>();
  CLI::App* profile = app.add_subcommand(
      "profile", "Named, versioned sets of compatible strings: list, show, select, matrix, env");
  profile->require_subcommand(1);
  profile->footer(
      "Profiles live in /etc/lucompat/profiles.d/*.toml (oldest first, by file name and position)\n"
      "and --profiles FILE. See lucompat-profiles(5).");

  CLI::App* list =
      profile->add_subcommand("list", "List the profiles, oldest first, and validate them");
  add_config_options(list, *a);
  list->callback([a, &result] { result = run_list(*a); });

  CLI::App* show = profile->add_subcommand("show", "Show one profile");
  show->add_option("name", a->name, "The profile")->required()->type_name("PROFILE");
  add_config_options(show, *a);
  show->callback([a, &result] { result = run_show(*a); });

  CLI::App* select = profile->add_subcommand(
      "select", "The newest active profile that can carry this update (exit 1: none can)");
  select->footer(
      "A profile is viable when the running kernel can emit every string it requires (in its\n"
      "table, not excluded by a host.toml pin) and the next kernel understands each. Deprecated\n"
      "profiles are chosen only when no active one is viable; retired ones never.\n\n"
      "Example:\n  lucompat profile select --next /boot/vmlinuz-6.12.9");
  add_update_options(select, a->update);
  select->callback([a, &result] { result = run_select(*a); });

  CLI::App* matrix = profile->add_subcommand(
      "matrix",
      "Kernels × profiles: the gate a kernel build runs before shipping (exit 1: a kernel "
      "lacks an active profile)");
  // --next, as every command that names a kernel to check says; --kernel is
  // what scripts written before it say.
  matrix->add_option("--next,--kernel", a->kernels, "A kernel image or package (repeatable)")
      ->required()
      ->type_name("PATH");
  matrix
      ->add_option("--profile", a->only,
                   "Only these profiles (repeatable; default: all not retired)")
      ->type_name("PROFILE");
  add_config_options(matrix, *a);
  matrix->footer(
      "Example:\n  lucompat profile matrix --next arch/x86/boot/bzImage --next "
      "linux-image.deb");
  matrix->callback([a, &result] { result = run_matrix(*a); });

  CLI::App* env = profile->add_subcommand(
      "env", "A profile's name and VMM features for a VMM launcher or a systemd EnvironmentFile");
  env->add_option("name", a->name, "The profile")->required()->type_name("PROFILE");
  CLI::Option* env_format =
      env->add_option("--format", a->format, "shell (export lines), systemd or json")
          ->check(CLI::IsMember({"shell", "systemd", "json"}))
          ->type_name("FORMAT");
  env->add_flag_callback(
         "--json", [a] { a->format = "json"; }, "Print JSON (as --format json)")
      ->excludes(env_format);
  env->add_option("--profiles", a->files, "More profiles (TOML), after /etc/lucompat/profiles.d")
      ->type_name("FILE");
  env->add_option("--catalog", a->catalogs, "More handler families (TOML)")->type_name("FILE");
  env->add_option("--root", a->root, "Read /etc under DIR")->type_name("DIR");
  env->footer(
      "Examples:\n  eval \"$(lucompat profile env 2026.06)\"\n"
      "  lucompat profile env 2026.06 --format systemd > /run/vmm/profile.env");
  env->callback([a, &result] { result = run_env(*a); });
}

}  // namespace lucompat::cli
