#include "inspect/package_paths.h"

namespace lucompat {
namespace {

constexpr std::string_view kDebugTree = "usr/lib/debug/";

bool consume(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

bool is_component(std::string_view s) {
  return !s.empty() && s.find('/') == std::string_view::npos;
}

// (usr/)lib/modules/REST -> REST
std::optional<std::string_view> under_modules(std::string_view name) {
  consume(name, "usr/");
  if (!consume(name, "lib/modules/")) return std::nullopt;
  return name;
}

}  // namespace

bool is_debug_member(std::string_view name) { return name.starts_with(kDebugTree); }

bool is_kernel_member(std::string_view name) {
  if (consume(name, kDebugTree)) {
    // bookworm's boot/vmlinux-R; trixie's lib/modules/R/vmlinux, which
    // boot/vmlinux-R only links to.
    if (auto rest = under_modules(name)) {
      const size_t slash = rest->find('/');
      return slash != std::string_view::npos && slash > 0 && rest->substr(slash + 1) == "vmlinux";
    }
    return consume(name, "boot/") && is_component(name) && name.starts_with("vmlinux");
  }
  if (std::string_view boot = name; consume(boot, "boot/")) {
    if (is_component(boot) &&
        (boot.starts_with("vmlinuz") || boot.starts_with("vmlinux") || boot.starts_with("Image")))
      return true;
  }
  if (auto rest = under_modules(name)) {
    const size_t slash = rest->find('/');
    if (slash != std::string_view::npos && slash > 0 && rest->substr(slash + 1) == "vmlinuz")
      return true;
  }
  std::string_view efi = name;
  consume(efi, "boot/efi/");
  return consume(efi, "EFI/Linux/") && is_component(efi) && efi.size() > 4 && efi.ends_with(".efi");
}

std::optional<std::string_view> module_member(std::string_view name) {
  consume(name, kDebugTree);
  auto rest = under_modules(name);
  if (!rest) return std::nullopt;
  for (std::string_view suffix : {".ko", ".ko.gz", ".ko.xz", ".ko.zst"})
    if (rest->size() > suffix.size() && rest->ends_with(suffix)) return rest;
  return std::nullopt;
}

}  // namespace lucompat
