#include <algorithm>
#include <cctype>

#include "lucompat/base/banner_prefix.h"
#include "lucompat/identity/kernel_identity.h"

namespace lucompat {
namespace {

// linux_banner is a few hundred bytes; a longer run is not a banner.
constexpr size_t kMaxBanner = 1024;

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
}

// The string at `at` if it has the banner's shape: prefix, release, " (", and a
// newline right before its NUL.
std::optional<std::string_view> banner_at(std::string_view data, size_t at) {
  const std::string_view rest = data.substr(at, kMaxBanner);
  const size_t nul = rest.find('\0');
  if (nul == std::string_view::npos || nul < 2 || rest[nul - 1] != '\n') return std::nullopt;
  const std::string_view text = rest.substr(0, nul - 1);
  if (!printable(text) || release_of_banner(text).empty()) return std::nullopt;
  if (text.find(" (", kBannerPrefix.size()) == std::string_view::npos) return std::nullopt;
  return text;
}

// The real banner (init/version-timestamp.c) ends with its build's UTS_VERSION:
// "#4 SMP Fri Nov 27 ... 2026". The weak placeholder in init/version.c
// ends where the timestamp would be: with "# " in 6.1, with "#1 PREEMPT "
// (a build number and flags, then a space) in 7.x.
bool is_real(std::string_view banner) {
  if (banner.empty() || banner.back() == ' ') return false;
  for (size_t p = banner.find('#'); p != std::string_view::npos; p = banner.find('#', p + 1))
    if (p + 1 < banner.size() && std::isdigit(static_cast<unsigned char>(banner[p + 1])))
      return true;
  return false;
}

}  // namespace

std::optional<std::string> find_banner(Bytes image) { return find_banner(std::span(&image, 1)); }

std::optional<std::string> find_banner(std::span<const Bytes> regions) {
  std::optional<std::string_view> first;
  for (const Bytes region : regions) {
    const std::string_view data = as_chars(region);
    for (size_t at = data.find(kBannerPrefix); at != std::string_view::npos;
         at = data.find(kBannerPrefix, at + 1)) {
      const auto b = banner_at(data, at);
      if (!b) continue;
      if (is_real(*b)) return std::string(*b);
      if (!first) first = b;
    }
  }
  if (first) return std::string(*first);
  return std::nullopt;
}

std::string release_of_banner(std::string_view banner) {
  if (!banner.starts_with(kBannerPrefix)) return {};
  const std::string_view rest = banner.substr(kBannerPrefix.size());
  return std::string(rest.substr(0, rest.find(' ')));
}

}  // namespace lucompat
