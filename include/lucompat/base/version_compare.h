// Versions compared as the UAPI Group's Version Format Specification says,
// which systemd (strverscmp_improved), sd-boot and bootctl order boot
// entries by: "6.12.9-1" < "6.12.10", "7.3~rc1" < "7.3", "00123" == "123".
#pragma once

#include <string_view>

namespace lucompat {

// <0, 0 or >0 as `a` is older than, as old as, or newer than `b`.
int compare_versions(std::string_view a, std::string_view b);

}  // namespace lucompat
