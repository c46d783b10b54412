#include "lucompat/elf/elf_layout.h"

#include <elf.h>

#include <string_view>

#include "lucompat/elf/elf_header.h"
#include "lucompat/elf/elf_records.h"
#include "lucompat/table/table_format.h"

namespace lucompat {
namespace {

ElfSectionHeader read_shdr(const ByteReader& r, const ElfHeader& h, uint32_t i) {
  return read_section_header(r, h.elf_class, h.shoff, h.shentsize, i);
}

// With a symbol table the registrations are derived (registration_locator):
// that reads the symbols, their names, relocations, the BTF and the loaded
// sections the objects and their ops lie in.
bool wanted(std::string_view name, const ElfSectionHeader& s, bool has_symtab) {
  if (s.type == SHT_NOTE || name == ".modinfo") return true;
  if (has_symtab && (s.type == SHT_SYMTAB || s.type == SHT_STRTAB || s.type == SHT_RELA ||
                     s.type == SHT_REL || name == ".BTF" || (s.flags & SHF_ALLOC) != 0))
    return true;
  for (const auto& f : table_formats())
    if (name == f.section || name == f.header_section) return true;
  return false;
}

}  // namespace

std::vector<ByteRange> elf_ranges_missing(Bytes file, const Covered& covered) {
  std::vector<ByteRange> missing;
  const auto need = [&](uint64_t off, uint64_t size) {
    if (size != 0 && !covered(off, size)) missing.push_back({off, size});
  };
  const ElfHeader h = parse_elf_header(file);
  const ByteReader r(file, h.order);
  need(h.phoff, uint64_t{h.phnum} * h.phentsize);
  need(h.shoff, uint64_t{h.shnum} * h.shentsize);
  if (!missing.empty()) return missing;

  for (uint32_t i = 0; i < h.phnum; ++i) {
    const ElfProgramHeader p = read_program_header(r, h.elf_class, h.phoff, h.phentsize, i);
    if (p.type == PT_NOTE) need(p.offset, p.filesz);
  }
  if (h.shnum == 0) return missing;

  const ElfSectionHeader names = read_shdr(r, h, h.shstrndx);
  need(names.offset, names.size);
  if (!missing.empty()) return missing;
  const ByteReader strtab = r.slice(names.offset, names.size, "section name table");
  bool has_symtab = false;
  for (uint32_t i = 1; i < h.shnum; ++i) has_symtab |= read_shdr(r, h, i).type == SHT_SYMTAB;
  for (uint32_t i = 1; i < h.shnum; ++i) {
    const ElfSectionHeader s = read_shdr(r, h, i);
    if (s.type == SHT_NOBITS || s.name_offset >= strtab.size()) continue;
    const std::string_view rest = as_chars(strtab.data().subspan(s.name_offset));
    if (wanted(rest.substr(0, rest.find('\0')), s, has_symtab)) need(s.offset, s.size);
  }
  return missing;
}

}  // namespace lucompat
