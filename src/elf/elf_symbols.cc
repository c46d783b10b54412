#include "elf/elf_symbols.h"

#include <elf.h>
#include <fmt/format.h>

namespace lucompat {

std::vector<ElfSymbol> read_symbols(const ByteReader& symtab, const ByteReader& strtab, int elf_class) {
  const uint64_t entry = elf_class == 64 ? 24 : 16;
  if (symtab.size() % entry != 0)
    fail(ErrorKind::malformed, symtab.base(),
         fmt::format("the symbol table is {} bytes, not a multiple of its {}-byte entries", symtab.size(), entry));
  const std::string_view names = as_chars(strtab.data());
  std::vector<ElfSymbol> out;
  out.reserve(symtab.size() / entry);
  for (uint64_t at = 0; at < symtab.size(); at += entry) {
    ElfSymbol s;
    const uint32_t name = symtab.u32(at, "st_name");
    uint8_t info = 0;
    if (elf_class == 64) {
      info = symtab.u8(at + 4, "st_info");
      s.shndx = symtab.u16(at + 6, "st_shndx");
      s.value = symtab.u64(at + 8, "st_value");
      s.size = symtab.u64(at + 16, "st_size");
    } else {
      s.value = symtab.u32(at + 4, "st_value");
      s.size = symtab.u32(at + 8, "st_size");
      info = symtab.u8(at + 12, "st_info");
      s.shndx = symtab.u16(at + 14, "st_shndx");
    }
    s.type = static_cast<uint8_t>(info & 0xf);
    s.binding = static_cast<uint8_t>(info >> 4);
    if (name >= names.size() && name != 0)
      fail(ErrorKind::malformed, symtab.base() + at,
           fmt::format("symbol {} has a name offset {:#x} outside its string table ({} bytes)",
                       at / entry, name, names.size()));
    if (name != 0) {
      const size_t end = names.find('\0', name);
      if (end == std::string_view::npos)
        fail(ErrorKind::malformed, strtab.base() + name, "a symbol name runs past the end of its string table");
      s.name = std::string(names.substr(name, end - name));
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ElfRelocation> read_relocations(const ByteReader& section, int elf_class, bool rela) {
  const uint64_t word = elf_class == 64 ? 8 : 4;
  const uint64_t entry = word * (rela ? 3 : 2);
  if (section.size() % entry != 0)
    fail(ErrorKind::malformed, section.base(),
         fmt::format("a relocation section of {} bytes is not a multiple of its {}-byte entries",
                     section.size(), entry));
  std::vector<ElfRelocation> out;
  out.reserve(section.size() / entry);
  for (uint64_t at = 0; at < section.size(); at += entry) {
    ElfRelocation r;
    if (elf_class == 64) {
      r.offset = section.u64(at, "r_offset");
      const uint64_t info = section.u64(at + 8, "r_info");
      r.symbol = static_cast<uint32_t>(info >> 32);
      r.type = static_cast<uint32_t>(info & 0xffffffffu);
      if (rela) r.addend = static_cast<int64_t>(section.u64(at + 16, "r_addend"));
    } else {
      r.offset = section.u32(at, "r_offset");
      const uint32_t info = section.u32(at + 4, "r_info");
      r.symbol = info >> 8;
      r.type = info & 0xffu;
      if (rela) r.addend = static_cast<int32_t>(section.u32(at + 8, "r_addend"));
    }
    out.push_back(r);
  }
  return out;
}

uint32_t absolute_pointer_relocation(uint16_t machine, int elf_class) {
  switch (machine) {
    case EM_X86_64: return R_X86_64_64;
    case EM_AARCH64: return R_AARCH64_ABS64;
    case EM_RISCV: return elf_class == 64 ? R_RISCV_64 : R_RISCV_32;
    case EM_PPC64: return R_PPC64_ADDR64;
    case EM_S390: return elf_class == 64 ? R_390_64 : R_390_32;
    case EM_386: return R_386_32;
    case EM_ARM: return R_ARM_ABS32;
    case EM_PPC: return R_PPC_ADDR32;
    case EM_LOONGARCH: return R_LARCH_64;
    default: return 0;
  }
}

}  // namespace lucompat
