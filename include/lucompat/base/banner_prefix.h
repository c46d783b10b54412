// What every Linux kernel's banner starts with (linux_banner, init/version.c):
// the identity layer reads the banner after it, the marker scan finds it in a
// stream. One spelling for both.
#pragma once

#include <string_view>

namespace lucompat {

inline constexpr std::string_view kBannerPrefix = "Linux version ";

}  // namespace lucompat
