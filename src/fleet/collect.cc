#include "lucompat/fleet/collect.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <set>

#include "lucompat/base/file.h"
#include "lucompat/base/printable.h"
#include "lucompat/host/kernel_log.h"

namespace lucompat {
namespace {

// A report is a JSON document, printed or stored: its text is what JSON
// holds (a banner from /proc/version may not be UTF-8), so that `report
// --store` stores what `report | fleet ingest` would.
KernelFacts facts(const KernelSide& side, const Catalog& catalog, bool trust_scan) {
  KernelFacts k;
  const Inspection& in = side.kernel;
  k.evidence = json_text(evidence_of(in));
  const auto gap = undecidable_evidence(in, catalog, trust_scan);
  k.undecided = json_text(gap ? gap->detail : "");
  k.release = json_text(in.identity.release);
  k.banner = json_text(in.identity.banner);
  k.build_id = json_text(in.identity.build_id);
  k.arch = in.arch;
  k.has_version_set = has_version_set(in);
  std::set<std::string> strings;  // sorted, unique, as escaped
  for (const auto& [s, _] : side.strings) strings.insert(json_text(s));
  k.strings.assign(strings.begin(), strings.end());
  return k;
}

std::string host_name(const SystemRoot& root) {
  if (root.root() != "/")
    if (auto h = read_text(root.path("/proc/sys/kernel/hostname"))) {
      std::string s = *h;
      while (!s.empty() && s.back() == '\n') s.pop_back();
      if (!s.empty()) return s;
    }
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

// A name from the command line is a usage error; the machine's, bad input.
Error not_utf8(const std::string& what, ErrorKind kind = ErrorKind::usage) {
  return Error{kind, {}, std::nullopt, fmt::format("{}: not UTF-8", what)};
}

}  // namespace

Result<HostReport> collect_report(const ReportRequest& req) {
  const CheckRequest& k = req.kernels;
  HostReport r;
  r.host = req.host.empty() ? host_name(k.root) : req.host;
  if (!utf8(r.host))
    return req.host.empty() ? not_utf8("the host name", ErrorKind::malformed) : not_utf8("--host");
  r.collected_at = utc_now();
  for (const auto& label : req.labels) {
    const size_t eq = label.find('=');
    if (eq == std::string::npos || eq == 0)
      return Error{ErrorKind::usage,
                   {},
                   std::nullopt,
                   fmt::format("--label {}: expected KEY=VALUE, e.g. --label rack=r12", label)};
    if (!utf8(label)) return not_utf8("--label");
    r.labels[label.substr(0, eq)] = label.substr(eq + 1);
  }
  LUCOMPAT_TRY(catalog, load_catalog(k.root, k.catalogs));
  LUCOMPAT_TRY(current, load_current(k, *catalog));
  r.running = facts(*current, *catalog, k.trust_scan);
  if (!k.next.empty()) {
    LUCOMPAT_TRY(next, load_kernel(k.next, k));
    r.staged = facts(*next, *catalog, k.trust_scan);
  }
  if (k.current == "running") {
    // A UUID; unknown (empty) when absent or not one line of text.
    constexpr uint64_t kMaxBootId = 64;
    if (auto id = read_file(k.root.path("/proc/sys/kernel/random/boot_id"), kMaxBootId)) {
      r.boot_id = as_chars(id->bytes());
      while (!r.boot_id.empty() && r.boot_id.back() == '\n') r.boot_id.pop_back();
      if (!utf8(r.boot_id) || r.boot_id.find('\n') != std::string::npos) r.boot_id.clear();
    }
    // What this boot's live update did: the kernel's log says it, and a log
    // that cannot be read leaves it unknown, with the reason.
    if (auto log = read_kernel_log(k.root)) {
      r.live_update = live_update_outcome(*log);
    } else {
      r.live_update.emplace();
      r.live_update->evidence.push_back(log.error().to_string());
    }
    // The plugin's LUCOMPAT_STATE_DIR, so that both agree where records are.
    const char* state = std::getenv("LUCOMPAT_STATE_DIR");
    LUCOMPAT_TRY(
        recorded,
        installed_check(k.root, state != nullptr && *state != '\0' ? state : "/var/lib/lucompat",
                        r.running.banner));
    r.installed_check = std::move(recorded).value();
  }
  LUCOMPAT_TRY(host, load_host_config(k, *catalog));
  r.emit = host->emit;
  r.profile = host->profile;
  if (!r.profile.empty()) {
    LUCOMPAT_TRY(profiles, load_profiles(k.root, k.profile_files, *catalog));
    if (const Profile* p = profiles->find(r.profile)) r.vmm_features = p->vmm_features;
  }
  return r;
}

}  // namespace lucompat
