#include "lucompat/elf/elf_symbols.h"

#include <elf.h>
#include <fmt/format.h>

#include "lucompat/elf/elf_records.h"

namespace lucompat {

std::vector<ElfSymbol> read_symbols(const ByteReader& symtab, const ByteReader& strtab,
                                    int elf_class) {
  const uint64_t entry = symbol_size(elf_class);
  if (symtab.size() % entry != 0)
    fail(ErrorKind::malformed, symtab.base(),
         fmt::format("the symbol table is {} bytes, not a multiple of its {}-byte entries",
                     symtab.size(), entry));
  const std::string_view names = as_chars(strtab.data());
  std::vector<ElfSymbol> out;
  out.reserve(symtab.size() / entry);
  for (uint64_t at = 0; at < symtab.size(); at += entry) {
    const ElfSymbolRecord rec = read_symbol(symtab, elf_class, at);
    ElfSymbol s;
    s.value = rec.value;
    s.size = rec.size;
    s.shndx = rec.shndx;
    s.type = static_cast<uint8_t>(rec.info & 0xf);
    s.binding = static_cast<uint8_t>(rec.info >> 4);
    if (rec.name >= names.size() && rec.name != 0)
      fail(ErrorKind::malformed, symtab.base() + at,
           fmt::format("symbol {} has a name offset {:#x} outside its string table ({} bytes)",
                       at / entry, rec.name, names.size()));
    if (rec.name != 0) {
      const size_t end = names.find('\0', rec.name);
      if (end == std::string_view::npos)
        fail(ErrorKind::malformed, strtab.base() + rec.name,
             "a symbol name runs past the end of its string table");
      s.name = std::string(names.substr(rec.name, end - rec.name));
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ElfRelocation> read_relocations(const ByteReader& section, int elf_class, bool rela) {
  const uint64_t entry = relocation_size(elf_class, rela);
  if (section.size() % entry != 0)
    fail(ErrorKind::malformed, section.base(),
         fmt::format("a relocation section of {} bytes is not a multiple of its {}-byte entries",
                     section.size(), entry));
  std::vector<ElfRelocation> out;
  out.reserve(section.size() / entry);
  for (uint64_t at = 0; at < section.size(); at += entry) {
    out.push_back(read_relocation(section, elf_class, rela, at));
  }
  return out;
}

uint32_t absolute_pointer_relocation(uint16_t machine, int elf_class) {
  switch (machine) {
    case EM_X86_64:
      return R_X86_64_64;
    case EM_AARCH64:
      return R_AARCH64_ABS64;
    case EM_RISCV:
      return elf_class == 64 ? R_RISCV_64 : R_RISCV_32;
    case EM_PPC64:
      return R_PPC64_ADDR64;
    case EM_S390:
      return elf_class == 64 ? R_390_64 : R_390_32;
    case EM_386:
      return R_386_32;
    case EM_ARM:
      return R_ARM_ABS32;
    case EM_PPC:
      return R_PPC_ADDR32;
    case EM_LOONGARCH:
      return R_LARCH_64;
    default:
      return 0;
  }
}

}  // namespace lucompat
