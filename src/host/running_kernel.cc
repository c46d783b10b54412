#include "lucompat/host/running_kernel.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace lucompat {
namespace {

namespace fs = std::filesystem;

// UKIs live here (the Boot Loader Specification's type #2 entries).
constexpr std::string_view kEspDirs[] = {"/boot/efi/EFI/Linux", "/efi/EFI/Linux",
                                         "/boot/EFI/Linux"};

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

bool is_uki(const std::string& path, const SystemRoot& root) {
  for (std::string_view dir : kEspDirs)
    if (path.starts_with(root.path(dir) + "/")) return true;
  return false;
}

std::string uname_of(const Inspection& in) {
  for (const auto& layer : in.chain)
    for (const auto& [k, v] : layer.details)
      if (k == "uname") return v;
  return {};
}

}  // namespace

std::vector<std::string> running_kernel_candidates(const SystemRoot& root,
                                                   const std::string& release) {
  std::vector<std::string> out{
      root.path("/boot/vmlinuz-" + release),
      root.path("/boot/vmlinux-" + release),
      root.path("/lib/modules/" + release + "/vmlinuz"),
      root.path("/usr/lib/modules/" + release + "/vmlinuz"),
  };
  for (std::string_view dir : kEspDirs) {
    std::error_code ec;
    std::vector<std::string> ukis;
    for (const auto& e : fs::directory_iterator(root.path(dir), ec))
      if (e.path().extension() == ".efi") ukis.push_back(e.path().string());
    std::sort(ukis.begin(), ukis.end());
    out.insert(out.end(), ukis.begin(), ukis.end());
  }
  return out;
}

Result<RunningKernel> find_running_kernel(const SystemRoot& root, const InspectOptions& options) {
  LUCOMPAT_TRY(release, read_text(root.path("/proc/sys/kernel/osrelease")));
  LUCOMPAT_TRY(banner, read_text(root.path("/proc/version")));
  RunningKernel k;
  k.release = trim(*release);
  k.banner = trim(*banner);
  if (!is_single_path_component(k.release))
    return Error{ErrorKind::malformed, root.path("/proc/sys/kernel/osrelease"), std::nullopt,
                 fmt::format("the release \"{}\" is not a single path component, so it cannot "
                             "name /boot/vmlinuz-RELEASE or /lib/modules/RELEASE",
                             k.release)};

  std::vector<std::string> mismatches, looked;
  for (const auto& path : running_kernel_candidates(root, k.release)) {
    std::error_code ec;
    looked.push_back(path);
    if (!fs::is_regular_file(path, ec)) continue;
    auto in = inspect_file(path, options);
    if (!in) {
      mismatches.push_back(in.error().to_string());
      continue;
    }
    if (is_uki(path, root) && uname_of(*in) != k.release) continue;
    if (in->identity.banner == k.banner) {
      k.path = path;
      k.inspection = std::move(in).value();
      return k;
    }
    mismatches.push_back(fmt::format("{} has the banner \"{}\"", path,
                                     in->identity.banner.empty() ? "(none)" : in->identity.banner));
  }
  const std::string version_file = root.path("/proc/version");
  if (mismatches.empty()) {
    std::string list;
    for (const auto& p : looked) list += (list.empty() ? "" : ", ") + p;
    return Error{ErrorKind::io, version_file, std::nullopt,
                 fmt::format("no image of the running kernel {} on disk (looked for {}); give it "
                             "with --current PATH",
                             k.release, list)};
  }
  std::string found;
  for (const auto& m : mismatches) found += (found.empty() ? "" : "; ") + m;
  return Error{ErrorKind::io, version_file, std::nullopt,
               fmt::format("no image on disk is the running kernel: it says \"{}\", but {}; the "
                           "image was rebuilt or replaced since boot, so give the running one "
                           "with --current PATH",
                           k.banner, found)};
}

}  // namespace lucompat
