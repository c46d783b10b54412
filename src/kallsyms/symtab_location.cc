#include "kallsyms/symtab_location.h"

#include <elf.h>
#include <fmt/format.h>

#include <map>
#include <string>

#include "lucompat/elf/elf_header.h"
#include "lucompat/elf/elf_symbols.h"

namespace lucompat {
namespace {

struct Section {
  uint32_t type = 0;
  uint64_t addr = 0, offset = 0, size = 0, entsize = 0;
  uint32_t link = 0;
};

Section read_section(const ByteReader& r, const ElfHeader& h, uint32_t i) {
  const uint64_t at = h.shoff + uint64_t{h.shentsize} * i;
  Section s;
  s.type = r.u32(at + 4, "sh_type");
  if (h.elf_class == 64) {
    s.addr = r.u64(at + 16, "sh_addr");
    s.offset = r.u64(at + 24, "sh_offset");
    s.size = r.u64(at + 32, "sh_size");
    s.link = r.u32(at + 40, "sh_link");
    s.entsize = r.u64(at + 56, "sh_entsize");
  } else {
    s.addr = r.u32(at + 12, "sh_addr");
    s.offset = r.u32(at + 16, "sh_offset");
    s.size = r.u32(at + 20, "sh_size");
    s.link = r.u32(at + 24, "sh_link");
    s.entsize = r.u32(at + 36, "sh_entsize");
  }
  return s;
}

constexpr std::string_view kWanted[] = {
    "kallsyms_offsets",     "kallsyms_addresses",   "kallsyms_relative_base",
    "kallsyms_num_syms",    "kallsyms_names",       "kallsyms_markers",
    "kallsyms_token_table", "kallsyms_token_index", "kallsyms_seqs_of_names"};

}  // namespace

std::optional<SymtabLocation> locate_by_symtab(const ByteReader& r, int pointer_size) {
  const ElfHeader h = parse_elf_header(r.data());
  if (h.shnum == 0) return std::nullopt;
  std::optional<Section> symtab;
  for (uint32_t i = 0; i < h.shnum && !symtab; ++i)
    if (Section s = read_section(r, h, i); s.type == SHT_SYMTAB) symtab = s;
  if (!symtab || symtab->link >= h.shnum) return std::nullopt;
  const Section strtab = read_section(r, h, symtab->link);
  const ByteReader syms = r.slice(symtab->offset, symtab->size, ".symtab");
  const ByteReader strs = r.slice(strtab.offset, strtab.size, ".strtab");
  std::map<std::string, uint64_t, std::less<>> found;  // name -> file offset
  for (const ElfSymbol& sym : read_symbols(syms, strs, h.elf_class)) {
    if (!sym.name.starts_with("kallsyms_") || sym.shndx == SHN_UNDEF || sym.shndx >= SHN_LORESERVE)
      continue;
    bool wanted = false;
    for (std::string_view w : kWanted) wanted |= sym.name == w;
    if (!wanted || sym.shndx >= h.shnum) continue;
    const Section s = read_section(r, h, sym.shndx);
    if (s.type == SHT_NOBITS || sym.value < s.addr || sym.value - s.addr >= s.size ||
        !r.contains(s.offset, s.size))
      fail(ErrorKind::malformed, symtab->offset,
           fmt::format("symbol {} (0x{:x}) does not lie in the file bytes of its section", sym.name,
                       sym.value));
    found.emplace(sym.name, s.offset + (sym.value - s.addr));
  }
  const auto get = [&](std::string_view n) -> std::optional<uint64_t> {
    const auto it = found.find(n);
    return it == found.end() ? std::nullopt : std::optional<uint64_t>(it->second);
  };
  SymtabLocation out;
  const auto names = get("kallsyms_names"), num = get("kallsyms_num_syms"),
             markers = get("kallsyms_markers"), table = get("kallsyms_token_table"),
             index = get("kallsyms_token_index"), offsets = get("kallsyms_offsets"),
             base = get("kallsyms_relative_base"), addresses = get("kallsyms_addresses");
  if (!names || !num || !markers || !table || !index) return std::nullopt;
  if (offsets && base) {
    out.where.addresses = *offsets;
    out.where.relative_base = *base;
  } else if (addresses) {
    out.addressing = KallsymsAddressing::absolute;
    out.where.addresses = *addresses;
  } else if (offsets) {
    // 7.0 dropped the relative base: 64-bit kernels always count from each
    // entry's place; 32-bit ones only when relocatable.
    out.where.addresses = *offsets;
    if (pointer_size == 8) out.addressing = KallsymsAddressing::place_relative;
  } else {
    return std::nullopt;
  }
  out.where.seqs_of_names = get("kallsyms_seqs_of_names");
  out.where.names = *names;
  out.where.num_syms = *num;
  out.where.markers = *markers;
  out.where.token_table = *table;
  out.where.token_index = *index;
  return out;
}

}  // namespace lucompat
