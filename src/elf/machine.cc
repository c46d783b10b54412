#include "lucompat/elf/machine.h"

#include <elf.h>
#include <fmt/format.h>

namespace lucompat {

std::string elf_machine_name(uint16_t machine) {
  switch (machine) {
    case EM_X86_64:
      return "x86-64";
    case EM_386:
      return "Intel 80386";
    case EM_AARCH64:
      return "AArch64";
    case EM_ARM:
      return "ARM";
    case EM_RISCV:
      return "RISC-V";
    case EM_PPC64:
      return "PowerPC64";
    case EM_PPC:
      return "PowerPC";
    case EM_S390:
      return "s390";
    case EM_MIPS:
      return "MIPS";
    case EM_SPARCV9:
      return "SPARC V9";
    case EM_LOONGARCH:
      return "LoongArch";
    default:
      return fmt::format("machine {:#x}", machine);
  }
}

std::string linux_arch(uint16_t machine, int elf_class, ByteOrder order) {
  const bool is64 = elf_class == 64;
  const bool le = order == ByteOrder::little;
  switch (machine) {
    case EM_X86_64:
      return "x86_64";
    case EM_386:
      return "i386";
    case EM_AARCH64:
      return le ? "arm64" : "arm64be";
    case EM_ARM:
      return le ? "arm" : "armbe";
    case EM_RISCV:
      return is64 ? "riscv64" : "riscv32";
    case EM_PPC64:
      return le ? "ppc64le" : "ppc64";
    case EM_PPC:
      return "ppc";
    case EM_S390:
      return is64 ? "s390x" : "s390";
    case EM_MIPS:
      return std::string(is64 ? "mips64" : "mips") + (le ? "el" : "");
    case EM_SPARCV9:
      return "sparc64";
    case EM_LOONGARCH:
      return is64 ? "loongarch64" : "loongarch32";
    default:
      return {};
  }
}

std::string elf_type_name(uint16_t type) {
  switch (type) {
    case ET_REL:
      return "relocatable";
    case ET_EXEC:
      return "executable";
    case ET_DYN:
      return "shared object";
    case ET_CORE:
      return "core file";
    default:
      return fmt::format("type {:#x}", type);
  }
}

}  // namespace lucompat
