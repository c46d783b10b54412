// Which members of a package are kernel images and modules, by where
// distributions install them (Debian, Fedora, UKIs). Plain string matching:
// member names are untrusted and may be tens of thousands of characters.
#pragma once

#include <optional>
#include <string_view>

namespace lucompat {

// boot/vmlinuz*, boot/vmlinux*, boot/Image*, (usr/)lib/modules/R/vmlinuz,
// (boot/efi/)EFI/Linux/NAME.efi; and usr/lib/debug/boot/vmlinux*, where a
// debug package (Debian's linux-image-R-dbg) keeps the unstripped kernel.
bool is_kernel_member(std::string_view name);

// For (usr/)lib/modules/PATH ending in .ko, .ko.gz, .ko.xz or .ko.zst, PATH
// (the module's path in the tree); otherwise nullopt. The same under
// usr/lib/debug/ (a debug package's modules, with their debug info).
std::optional<std::string_view> module_member(std::string_view name);

// A member of a debug package's tree: usr/lib/debug/...
bool is_debug_member(std::string_view name);

}  // namespace lucompat
