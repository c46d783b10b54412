// Human and Linux-architecture names for ELF machines and types.
#pragma once

#include <cstdint>
#include <string>

#include "lucompat/base/byte_order.h"

namespace lucompat {

// As `file(1)` and readelf say it: "x86-64", "AArch64", "s390".
std::string elf_machine_name(uint16_t machine);

// The kernel's ARCH-like name used to match two kernels: "x86_64", "arm64",
// "s390x", "ppc64le"; empty when unknown.
std::string linux_arch(uint16_t machine, int elf_class, ByteOrder order);

// "executable", "relocatable", "shared object", ...
std::string elf_type_name(uint16_t type);

}  // namespace lucompat
