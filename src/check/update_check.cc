#include "lucompat/check/update_check.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <map>
#include <system_error>

#include "lucompat/host/live_kernel.h"
#include "lucompat/host/luo_cmdline.h"
#include "lucompat/host/running_kernel.h"
#include "lucompat/host/systemd_fd_stores.h"
#include "lucompat/host/usage.h"
#include "lucompat/inspect/module_tree.h"
#include "lucompat/inspect/package.h"

namespace lucompat {
namespace {

namespace fs = std::filesystem;

Error usage_error(std::string message) {
  return Error{ErrorKind::usage, {}, std::nullopt, std::move(message)};
}

// TOML files of a .d directory in name order, then the explicit ones.
std::vector<std::string> config_files(const std::string& dir,
                                      const std::vector<std::string>& extra) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".toml") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  files.insert(files.end(), extra.begin(), extra.end());
  return files;
}

void add_strings(KernelStrings& into, const Inspection& in, const std::string& source) {
  for (const auto& e : declared_entries(in)) {
    auto& sources = into[e.compatible];
    if (std::find(sources.begin(), sources.end(), source) == sources.end())
      sources.push_back(source);
  }
}

Result<void> add_modules(KernelSide& side, const ModuleTree& tree) {
  for (const auto& m : tree.modules) {
    if (!m.result) return m.result.error();  // fail closed: an unreadable module may hold a table
    add_strings(side.strings, *m.result, "module " + m.path);
  }
  side.module_count = tree.modules.size();
  return {};
}

// Modules from DIR: the explicit one, else /lib/modules/RELEASE when present.
Result<void> join_modules(KernelSide& side, const std::optional<std::string>& explicit_dir,
                          const CheckRequest& req) {
  std::string dir;
  if (explicit_dir) {
    dir = *explicit_dir;
  } else {
    const std::string& release = side.kernel.identity.release;
    if (req.no_modules || release.empty()) return {};
    if (!is_single_path_component(release))
      return Error{ErrorKind::malformed, side.path, std::nullopt,
                   fmt::format("the kernel's release \"{}\" is not a single path component, so "
                               "it cannot name /lib/modules/RELEASE",
                               release)};
    dir = req.root.path("/lib/modules/" + release);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return {};
    // A release directory without modules (only modules.dep, a vmlinuz) adds nothing.
    auto found = find_modules(dir);
    if (!found || found->empty()) return {};
  }
  // A module's split BTF lacks the LUO structs: its kernel's BTF has them.
  InspectOptions options = req.inspect;
  if (!options.base_model) options.base_model = side.kernel.model;
  LUCOMPAT_TRY(tree, inspect_module_tree(dir, options, req.jobs));
  side.modules = dir;
  return add_modules(side, *tree);
}

Result<KernelSide> load_image(const std::string& path, const std::string& how,
                              const CheckRequest& req, bool allow_package) {
  std::error_code ec;
  if (fs::is_directory(path, ec))
    return Error{ErrorKind::unsupported, path, std::nullopt,
                 "is a directory; a kernel image or package is needed here (module trees go to "
                 "--current-modules / --next-modules)"};
  if (allow_package && is_package_file(path)) {
    LUCOMPAT_TRY(pkg, inspect_package(path, req.inspect, req.jobs));
    if (pkg->kernels.size() != 1)
      return Error{ErrorKind::unsupported, path, std::nullopt,
                   fmt::format("the package holds {} kernel images; lucompat needs exactly one",
                               pkg->kernels.size())};
    if (!pkg->kernels[0].result) return pkg->kernels[0].result.error();
    KernelSide side = kernel_side(path, how, std::move(pkg->kernels[0].result).value(),
                                  "kernel " + path + "!" + pkg->kernels[0].path);
    side.modules = pkg->modules.root;
    LUCOMPAT_CHECK(add_modules(side, pkg->modules));
    return side;
  }
  LUCOMPAT_TRY(in, inspect_file(path, req.inspect));
  return kernel_side(path, how, std::move(in).value(), "kernel " + path);
}

}  // namespace

Result<HostConfig> load_host_config(const CheckRequest& req, const Catalog& catalog) {
  const std::string path = req.root.path("/etc/lucompat/host.toml");
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return HostConfig{};
  LUCOMPAT_TRY(text, read_text(path));
  return read_host_config(*text, path, catalog);
}

namespace {

Result<CheckPolicy> load_policy(const CheckRequest& req, const Catalog& catalog,
                                const HostConfig& host) {
  CheckPolicy policy;
  policy.strict = req.strict;
  for (const auto& family : req.uses) {
    if (catalog.find(family) == nullptr) {
      std::string known;
      for (const auto& f : catalog.families()) known += (known.empty() ? "" : ", ") + f.name;
      return usage_error(fmt::format("--uses {}: no such family (known: {})", family, known));
    }
    policy.uses[family].used_by.push_back("--uses");
  }
  std::vector<int> pids = req.pids;
  for (const auto& name : req.processes) {
    LUCOMPAT_TRY(found, pids_of_process(req.root, name));
    pids.insert(pids.end(), found->begin(), found->end());
  }
  for (int pid : pids) {
    LUCOMPAT_TRY(fds, families_of_pid(req.root, pid, catalog));
    merge_uses(policy.uses, *fds);
  }
  if (req.manifest) {
    LUCOMPAT_TRY(text, read_text(*req.manifest));
    LUCOMPAT_TRY(m, read_manifest(*text, *req.manifest, catalog));
    merge_uses(policy.uses, *m);
  }
  policy.uses_given = !req.uses.empty() || !pids.empty() || req.manifest.has_value();

  for (const auto& [family, s] : host.emit) {
    policy.pins[family] = s;
    policy.pin_sources[family] = req.root.path("/etc/lucompat/host.toml");
  }
  std::map<std::string, std::string> emitted;  // family -> the --emit that pinned it
  for (const auto& e : req.emits) {
    const size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == e.size())
      return usage_error(
          fmt::format("--emit {}: expected FAMILY=STRING, e.g. --emit memfd=memfd-v1", e));
    const std::string family = e.substr(0, eq), s = e.substr(eq + 1);
    if (catalog.find(family) == nullptr)
      return usage_error(fmt::format("--emit {}: no family {} in the catalog", e, family));
    const ParsedCompatible p = catalog.parse(s);
    if (!p.known || p.family != family)
      return usage_error(
          fmt::format("--emit {}: \"{}\" is not a {} compatible string", e, s, family));
    // A kernel emits one string per family: two pins would let the order of
    // the flags decide the verdict.
    if (const auto [it, fresh] = emitted.emplace(family, e); !fresh && it->second != e)
      return usage_error(fmt::format(
          "--emit {} and --emit {}: two different pins for the family {}", it->second, e, family));
    policy.pins[family] = s;
    policy.pin_sources[family] = "--emit";
  }
  return policy;
}

// The running kernel: what it has registered now, read live, when it can be
// (root, /proc/kcore, LUO's lists); else its image, found and proven by its
// banner. A live reading that finds something wrong is an error, never a
// reason to fall back: the image cannot say what the memory holds.
Result<KernelSide> load_side(const CheckRequest& req, const Catalog& catalog) {
  if (req.current != "running") return load_image(req.current, "--current", req, false);
  std::string why_not_live;
  if (req.current_modules) {
    why_not_live = "--current-modules names a module tree";
  } else {
    auto live = inspect_running(live_query_from(catalog, req.root));
    if (live && live->derived) {
      KernelSide side = kernel_side(
          "running kernel",
          "queried live through /proc/kcore: what is registered now, loaded modules included",
          std::move(live).value(), "running kernel");
      side.live = true;
      return side;
    }
    if (!live && live.error().kind != ErrorKind::io && live.error().kind != ErrorKind::unsupported)
      return std::move(live).error();
    why_not_live = live ? "it has no registrations to read" : live.error().to_string();
  }
  LUCOMPAT_TRY(running, find_running_kernel(req.root, req.inspect));
  return kernel_side(
      running->path,
      fmt::format("the running kernel, proven by /proc/version; not queried live: {}",
                  why_not_live),
      std::move(running->inspection), "kernel " + running->path);
}

// Two kernels are read at once when both, decompressed, fit together in what
// the process keeps whole (64 MiB, SparseBuffer::kMaxKeptWhole): past it the
// second is kept sparse and decompressed again for its derivation, slower
// and larger than reading them in turn (Debian's 7.3.4 pair: 0.41 s and 115
// MiB at once, 0.34 s and 97 MiB in turn). A compressed kernel is 5-6 times
// larger decompressed (real 7.3: 2.1 -> 12.4 MB; Debian's: 13.3 -> 62 MB).
constexpr uint64_t kConcurrentBelow = uint64_t{10} << 20;

uint64_t file_size_or_max(const std::string& path) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  return ec ? UINT64_MAX : static_cast<uint64_t>(size);
}

bool read_at_once(const CheckRequest& req) {
  const uint64_t next = file_size_or_max(req.next);
  // The running kernel's image, when it must be read, is taken to be as large.
  const uint64_t current = req.current == "running" ? next : file_size_or_max(req.current);
  return next < kConcurrentBelow && current < kConcurrentBelow - next;
}

// Both kernels: at once when they are small enough (above), since each
// decompression is one core's work (a real 7.3 pair: 0.32 -> 0.16 s); one
// file named twice is read once.
Result<void> load_kernels(const CheckRequest& req, UpdateInputs& in) {
  std::error_code ec;
  if (req.current != "running" && !is_package_file(req.next) &&
      fs::equivalent(req.current, req.next, ec)) {
    LUCOMPAT_TRY(current, load_side(req, in.catalog));
    in.current = std::move(current).value();
    in.next = in.current;
    in.next.how = "--next, the file --current names: read once for both";
    return {};
  }
  const std::string how = req.next_from.empty() ? "--next" : "--next-entry";
  const auto next = [&] { return load_image(req.next, how, req, true); };
  std::future<Result<KernelSide>> reading;
  try {
    reading = std::async(read_at_once(req) ? std::launch::async : std::launch::deferred, next);
  } catch (const std::system_error&) {
    reading = std::async(std::launch::deferred, next);  // no thread to be had: one after the other
  }
  Result<KernelSide> current = load_side(req, in.catalog);
  Result<KernelSide> next_side = reading.get();
  if (!current) return std::move(current).error();
  if (!next_side) return std::move(next_side).error();
  in.current = std::move(current).value();
  in.next = std::move(next_side).value();
  return {};
}

std::string arch_of(const Inspection& in) {
  return in.arch.empty() ? std::string("an unknown architecture") : in.arch;
}

}  // namespace

std::optional<EvidenceGap> undecidable_evidence(const Inspection& k, const Catalog& catalog,
                                                bool trust_scan) {
  if (const auto d = registration_disagreements(k); !d.empty())
    return EvidenceGap{UndecidedCause::tables_disagree,
                       "its version table and its registrations disagree: " + d.front()};
  // Without an RFC table the derived set is the evidence: it must be
  // complete, or a string it lacks may be one the kernel has.
  if (!k.table && k.derived && k.derived->luo != LuoPresence::absent && !k.derived->complete()) {
    const DerivationGap& g = k.derived->gaps.front();
    if (g.kind == GapKind::near_miss)
      return EvidenceGap{UndecidedCause::unverified_object,
                         "an object looks like a registration but could not be verified, so its "
                         "set may be incomplete: " +
                             g.detail};
    return EvidenceGap{
        UndecidedCause::incomplete,
        "its registrations could not all be read, so its set may be incomplete: " + g.detail};
  }
  if (!k.table && k.derived) {
    std::map<std::string, std::vector<std::string>> core;
    for (const auto& e : k.derived->entries)
      if (e.registration && e.registration->kind == EntryKind::core) {
        const ParsedCompatible p = catalog.parse(e.compatible);
        core[p.known ? p.family : e.compatible].push_back(e.compatible);
      }
    for (const auto& [family, strings] : core)
      if (strings.size() > 1)
        return EvidenceGap{
            UndecidedCause::ambiguous_core,
            fmt::format("it carries {} core strings of {} ({}), so which one it writes cannot be "
                        "told",
                        strings.size(), family, fmt::join(strings, ", "))};
  }
  if (rests_on_scan_only(k) && !trust_scan)
    return EvidenceGap{UndecidedCause::scan_only,
                       "its strings rest only on a scan of its bytes (no symbols); --trust-scan "
                       "accepts that evidence"};
  return std::nullopt;
}

ExitCode exit_code(Verdict v) {
  switch (v) {
    case Verdict::incompatible:
      return ExitCode::incompatible;
    case Verdict::undecided:
      return ExitCode::undecidable;
    default:
      return ExitCode::ok;
  }
}

Result<Catalog> load_catalog(const SystemRoot& root, const std::vector<std::string>& extra) {
  Catalog catalog;
  LUCOMPAT_CHECK(catalog.add(builtin_catalog(), "catalog.toml (built in)"));
  for (const auto& f : config_files(root.path("/etc/lucompat/catalog.d"), extra)) {
    LUCOMPAT_TRY(text, read_text(f));
    LUCOMPAT_CHECK(catalog.add(*text, f));
  }
  return catalog;
}

Result<ProfileSet> load_profiles(const SystemRoot& root, const std::vector<std::string>& extra,
                                 const Catalog& catalog) {
  ProfileSet profiles;
  for (const auto& f : config_files(root.path("/etc/lucompat/profiles.d"), extra)) {
    LUCOMPAT_TRY(text, read_text(f));
    LUCOMPAT_CHECK(profiles.add(*text, f, catalog));
  }
  return profiles;
}

namespace {

// LUO as merged (6.19 on): one unknown file handler fails a whole
// deserialization, and liveupdate= on the command line turns it on. The
// mainline-shape corpus (6.1) imitates an earlier LUO, and RFC tables
// belong to it.
bool merged_luo(const Inspection& k) {
  unsigned major = 0, minor = 0;
  if (k.table || std::sscanf(k.identity.release.c_str(), "%u.%u", &major, &minor) != 2)
    return false;
  return major > 6 || (major == 6 && minor >= 19);
}

// What the outgoing sessions of a running kernel read live preserve: the
// families in use, their handlers' FLBs included.
void add_session_uses(const std::vector<LiveSession>& sessions, const Catalog& catalog,
                      CheckPolicy& policy) {
  for (const LiveSession& s : sessions)
    for (const LiveFile& f : s.files) {
      const std::string by = fmt::format("session {} token {:#x}", s.name, f.token);
      for (const std::string& c : f.flbs) {
        const ParsedCompatible p = catalog.parse(c);
        policy.uses[p.family].used_by.push_back(fmt::format("{} (FLB {})", by, c));
      }
      const ParsedCompatible p = catalog.parse(f.compatible);
      policy.uses[p.family].used_by.push_back(by);
    }
  policy.uses_given = true;
}

// What PID 1 will preserve at the kexec, beside the live sessions: its
// session does not exist until systemd-shutdown makes it.
void add_systemd_uses(const SystemdStores& stores, UpdateInputs& in) {
  if (!stores.preserves) {
    in.notes.push_back(fmt::format(
        "systemd {} (PID 1) preserves no file descriptor store across a kexec (v261 is the first)",
        stores.version));
    return;
  }
  const FdStorePlan plan = plan_fd_stores(stores, in.catalog, in.current.strings);
  merge_uses(in.policy.uses, plan.uses);
  size_t fds = 0;
  for (const PreservedStore& s : stores.stores) fds += s.fds.size();
  in.notes.push_back(
      fmt::format("systemd {} (PID 1) will hand {} fd(s) from the stores of {} unit(s) with "
                  "FileDescriptorStorePreserve=yes to the LUO session 'systemd' at the kexec",
                  stores.version, fds, stores.stores.size()));
  in.notes.insert(in.notes.end(), plan.lost.begin(), plan.lost.end());
}

// What is known of both kernels beyond their strings (their LUO, command
// lines) into the policy, and, on a running host, the families its live
// sessions preserve as the families in use.
Result<void> learn_traits(UpdateInputs& in, const CheckRequest& req) {
  CheckPolicy& p = in.policy;
  p.running.luo = luo_presence(in.current.kernel);
  p.next.luo = luo_presence(in.next.kernel);
  p.next.refuses_every_session = merged_luo(in.next.kernel);
  if (req.current == "running" && merged_luo(in.current.kernel)) {
    const std::string path = req.root.path("/proc/cmdline");
    std::error_code ec;
    if (fs::exists(path, ec)) {
      LUCOMPAT_TRY(text, read_text(path));
      const LuoCmdline c = luo_in_cmdline(*text);
      p.running.luo_enabled = c.enabled;
      p.running.cmdline = c.why_not;
    }
  }
  if (merged_luo(in.next.kernel) && p.next.luo != LuoPresence::absent) {
    if (req.next_cmdline) {
      const LuoCmdline c = luo_in_cmdline(*req.next_cmdline);
      p.next.luo_enabled = c.enabled;
      p.next.cmdline = c.why_not;
    } else {
      in.notes.push_back(
          "the next kernel's command line is not known (check --next-cmdline, or kexec's "
          "--append and --reuse-cmdline): it must hold liveupdate=on, or nothing is restored");
    }
  }
  // On a running host the outgoing sessions say exactly what is at stake;
  // --uses, --pid and a manifest add to them.
  const auto& live = in.current.kernel.derived;
  if (in.current.live && live && live->sessions && !req.profile && in.host_profile.empty()) {
    add_session_uses(*live->sessions, in.catalog, p);
    if (live->sessions->empty())
      in.notes.push_back(
          "no outgoing session is open on the running kernel: nothing is preserved now, so only "
          "the core ABI is at stake");
  }
  if (req.current == "running") {
    LUCOMPAT_TRY(stores, read_systemd_stores(req.root));
    if (*stores) add_systemd_uses(**stores, in);
  }
  return {};
}

}  // namespace

Result<UpdateInputs> load_update(const CheckRequest& request) {
  UpdateInputs in;
  LUCOMPAT_TRY(catalog, load_catalog(request.root, request.catalogs));
  in.catalog = std::move(catalog).value();
  // Every kernel, image or running, is searched for the site's core and
  // subtree families, not only the built-in catalog's.
  CheckRequest sited = request;
  sited.inspect.core_forms = in.catalog.core_forms();
  const CheckRequest& req = sited;
  LUCOMPAT_TRY(profiles, load_profiles(req.root, req.profile_files, in.catalog));
  in.profiles = std::move(profiles).value();
  LUCOMPAT_TRY(host, load_host_config(req, in.catalog));
  in.host_profile = host->profile;
  in.host_profile_at = host->profile_at;
  LUCOMPAT_TRY(policy, load_policy(req, in.catalog, *host));
  in.policy = std::move(policy).value();

  if (!req.next_from.empty()) in.notes.push_back(req.next_from);
  LUCOMPAT_CHECK(load_kernels(req, in));

  const Inspection& a = in.current.kernel;
  const Inspection& b = in.next.kernel;
  if (a.arch.empty() || a.arch != b.arch || a.byte_order != b.byte_order)
    return Error{
        ErrorKind::unsupported, in.next.path, std::nullopt,
        fmt::format("the next kernel is for {} ({}), the current one for {} ({}): a kexec "
                    "cannot cross architectures or byte orders",
                    arch_of(b), b.byte_order ? name(*b.byte_order) : "unknown byte order",
                    arch_of(a), a.byte_order ? name(*a.byte_order) : "unknown byte order")};

  // A live reading has the loaded modules; those not loaded hold nothing now.
  if (!in.current.live) LUCOMPAT_CHECK(join_modules(in.current, req.current_modules, req));
  // /lib/modules/R of a release both kernels share holds one set of modules,
  // and which kernel built them cannot be told: crediting them to the next
  // kernel could prove a false "compatible", so only an explicit tree joins.
  const std::string& release = in.next.kernel.identity.release;
  const bool same_release = release == in.current.kernel.identity.release;
  std::error_code ec;
  const bool shared_tree = same_release && is_single_path_component(release) &&
                           fs::is_directory(req.root.path("/lib/modules/" + release), ec);
  if (in.next.modules.empty() && !req.next_modules && shared_tree && !req.no_modules) {
    in.notes.push_back(fmt::format(
        "the next kernel's modules were not joined: it has the current kernel's release {}, so "
        "/lib/modules/{} cannot be told apart; give them with --next-modules DIR",
        in.next.kernel.identity.release, in.next.kernel.identity.release));
  } else if (in.next.modules.empty()) {
    LUCOMPAT_CHECK(join_modules(in.next, req.next_modules, req));
  }

  LUCOMPAT_CHECK(assess_update(in, req));
  return in;
}

Result<void> assess_update(UpdateInputs& in, const CheckRequest& req) {
  // Without a table or registrations in the kernel itself nothing about it
  // can be proven: a kernel that predates the RFC may still have LUO. A
  // kernel whose complete symbols show no LUO is an answer, not a gap.
  constexpr std::string_view kNotSearched =
      "has no live-update version table and its registrations could not be searched: it "
      "predates the RFC, or its symbols (a symbol table, or kallsyms with data symbols) are not "
      "there to find them by, so nothing about it can be proven";
  const auto undecided = [&](const KernelSide* side, const EvidenceGap& gap) {
    const bool current = side == &in.current;
    const std::string_view kernel = current ? "current" : "next";
    in.no_table =
        gap.cause == UndecidedCause::not_searched
            ? fmt::format("UNDECIDED: the {} kernel ({}) {}", kernel, side->path, kNotSearched)
            : fmt::format("UNDECIDED: the {} kernel ({}): {}", kernel, side->path, gap.detail);
    in.undecided = Reason{.code = ReasonCode::kernel_undecided,
                          .kernel = current ? KernelRole::running : KernelRole::next,
                          .detail = gap.detail,
                          .cause = gap.cause};
  };
  for (const KernelSide* side : {&in.current, &in.next})
    if (!has_version_set(side->kernel) && luo_presence(side->kernel) != LuoPresence::absent &&
        !in.no_table)
      undecided(side, {UndecidedCause::not_searched, fmt::format("it {}", kNotSearched)});
  for (const KernelSide* side : {&in.current, &in.next}) {
    if (in.no_table) break;
    if (auto gap = undecidable_evidence(side->kernel, in.catalog, req.trust_scan))
      undecided(side, *gap);
  }
  return learn_traits(in, req);
}

Result<KernelSide> load_kernel(const std::string& path, const CheckRequest& req) {
  return load_image(path, "--kernel", req, true);
}

Result<KernelSide> load_current(const CheckRequest& req, const Catalog& catalog) {
  LUCOMPAT_TRY(side, load_side(req, catalog));
  if (side->live) return side;
  LUCOMPAT_CHECK(join_modules(*side, req.current_modules, req));
  return side;
}

Result<CheckOutcome> run_check(const CheckRequest& req) {
  LUCOMPAT_TRY(in, load_update(req));
  CheckOutcome out;
  out.notes = std::move(in->notes);

  CheckPolicy policy = in->policy;
  const std::string profile_name = req.profile.value_or(in->host_profile);
  if (!profile_name.empty()) {
    const std::string from = req.profile ? "--profile" : in->host_profile_at;
    const Profile* profile = in->profiles.find(profile_name);
    if (profile == nullptr)
      return Error{req.profile ? ErrorKind::usage : ErrorKind::malformed, req.profile ? "" : from,
                   std::nullopt,
                   fmt::format("no profile \"{}\" (profiles come from /etc/lucompat/profiles.d and "
                               "--profiles FILE)",
                               profile_name)};
    if (profile->status == ProfileStatus::retired)
      return Error{ErrorKind::malformed, req.profile ? "" : from, std::nullopt,
                   fmt::format("profile {} is retired, but {} still names it", profile_name,
                               req.profile ? "--profile" : "host.toml")};
    apply_profile(*profile, in->catalog, policy);
    out.profile = fmt::format("{} ({}{})", profile->name, req.profile ? "--profile" : "host.toml",
                              profile->status == ProfileStatus::deprecated ? ", deprecated" : "");
  }
  out.report = decide_update(*in, policy);
  out.current = std::move(in->current);
  out.next = std::move(in->next);
  out.no_table = std::move(in->no_table);
  return out;
}

CheckReport decide_update(const UpdateInputs& in, const CheckPolicy& policy) {
  CheckReport report = check_update(in.catalog, in.current.strings, in.next.strings, policy);
  // Incomplete evidence leaves the update undecided, unless what was read
  // already proves it incompatible: a core mismatch seen in both kernels, a
  // kernel without LUO, LUO off on a command line.
  if (in.no_table && !proven_incompatible(report)) {
    report.verdict = Verdict::undecided;
    if (in.undecided) report.update.push_back(*in.undecided);
  }
  return report;
}

KernelSide kernel_side(std::string path, std::string how, Inspection kernel,
                       const std::string& source) {
  KernelSide side;
  side.path = std::move(path);
  side.how = std::move(how);
  side.kernel = std::move(kernel);
  add_strings(side.strings, side.kernel, source);
  return side;
}

}  // namespace lucompat
