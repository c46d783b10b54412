// Who a kernel or module is: the facts that tie an image to a running kernel
// (the banner /proc/version prints) and a module to its kernel (vermagic).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "lucompat/base/byte_reader.h"

namespace lucompat {

struct KernelIdentity {
  std::string banner;       // "Linux version 6.1.192 (...) #4 SMP ...", without the newline
  std::string release;      // from the banner, or the first word of a module's vermagic
  std::string build_id;     // GNU build-id, lower-case hex
  std::string module_name;  // .modinfo "name="
  std::string vermagic;     // .modinfo "vermagic=", trailing blanks removed
};

// The kernel's banner (linux_banner) among the bytes of an image. Kernels since
// 6.1 also carry a weak placeholder ending in "# " that the real one overrides;
// the real one has "#<build number>" and wins.
std::optional<std::string> find_banner(Bytes image);
// The same over several regions (the loaded sections of an ELF), so that
// debug sections, the bulk of a debug vmlinux, are never read.
std::optional<std::string> find_banner(std::span<const Bytes> regions);

// "6.1.192" from "Linux version 6.1.192 (builder) ...".
std::string release_of_banner(std::string_view banner);

struct ModInfo {
  std::string name;
  std::string vermagic;
};

// The NUL-separated "key=value" strings of a module's .modinfo section.
ModInfo parse_modinfo(Bytes section);

}  // namespace lucompat
