#include "elf/registration_locator.h"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "lucompat/derive/memory_image.h"
#include "lucompat/derive/object_matcher.h"
#include "lucompat/derive/registrations.h"
#include "lucompat/elf/elf_symbols.h"
#include "lucompat/table/table_format.h"

namespace lucompat {

namespace {

// A SHT_NOBITS section's offset may lie anywhere: the error names its header.
ByteReader section_reader(const LibelfFile& elf, const ElfSection& s, Bytes file) {
  if (!s.has_file_bytes())
    fail(ErrorKind::malformed, elf.header_offset(s),
         fmt::format("section {} has no bytes in the file", s.name));
  return ByteReader(file.subspan(s.offset, s.size), elf.header().order, s.offset);
}

RegionKind kind_of(const ElfSection& s) {
  if ((s.flags & SHF_EXECINSTR) != 0) return RegionKind::text;
  // 64-bit PowerPC ELFv1: a function pointer is the address of the function's
  // descriptor in .opd, not of its code.
  if (s.name == ".opd") return RegionKind::text;
  if ((s.flags & SHF_WRITE) == 0) return RegionKind::rodata;
  // x86's vmlinux links .rodata into a writable segment (early boot writes
  // beside it before mark_rodata_ro()); at run time it is read-only.
  if (s.name == ".rodata" || s.name.starts_with(".rodata.")) return RegionKind::rodata;
  // Constant data holding pointers, in position-independent code (ppc64's
  // ops structs): writable only for the relocations applied at load.
  if (s.name == ".data.rel.ro" || s.name.starts_with(".data.rel.ro.")) return RegionKind::rodata;
  return RegionKind::data;
}

// A relocatable file has no addresses: each section gets its own range, far
// enough apart (its index above bit 32) that no object can straddle two.
uint64_t base_of(const LibelfFile& elf, size_t index) {
  if (elf.header().type == ET_REL) return uint64_t{index} << 32;
  for (const auto& s : elf.sections())
    if (s.index == index) return s.addr;
  return 0;
}

const ElfSection* section_at(const LibelfFile& elf, size_t index) {
  for (const auto& s : elf.sections())
    if (s.index == index) return &s;
  return nullptr;
}

bool defined_in_section(const ElfSymbol& s) {
  return s.shndx != SHN_UNDEF && s.shndx < SHN_LORESERVE;
}

// A linked file's symbol values are addresses; a relocatable file's are
// offsets in their section.
uint64_t address_of(const LibelfFile& elf, const ElfSymbol& s) {
  return elf.header().type == ET_REL ? base_of(elf, s.shndx) + s.value : s.value;
}

bool in_table_section(const LibelfFile& elf, uint64_t offset) {
  for (const auto& s : elf.sections())
    if (offset >= s.offset && offset - s.offset < s.size && s.has_file_bytes())
      for (const TableFormat& f : table_formats())
        if (s.name == f.section || s.name == f.header_section) return true;
  return false;
}

void add_relocations(const LibelfFile& elf, Bytes file, const std::vector<ElfSymbol>& symbols,
                     size_t symtab_index, MemoryImage& image) {
  const ElfHeader& h = elf.header();
  const uint32_t absolute = absolute_pointer_relocation(h.machine, h.elf_class);
  for (const auto& s : elf.sections()) {
    if ((s.type != SHT_RELA && s.type != SHT_REL) || s.size == 0) continue;
    const ElfSection* to = section_at(elf, s.info);
    if (to == nullptr || (to->flags & SHF_ALLOC) == 0) continue;
    if (s.link != symtab_index) continue;  // relocations against another symbol table
    const bool rela = s.type == SHT_RELA;
    const ByteReader target = section_reader(elf, *to, file);
    const uint64_t word = h.elf_class == 64 ? 8 : 4;
    for (ElfRelocation r : read_relocations(section_reader(elf, s, file), h.elf_class, rela)) {
      const uint64_t slot = base_of(elf, to->index) + r.offset;
      std::optional<Pointer> p;  // another type, or out of place: never trusted as a pointer
      // SHT_REL keeps the addend in the slot itself.
      const bool addend_known = rela || target.contains(r.offset, word);
      if (!rela && addend_known)
        r.addend = word == 8 ? static_cast<int64_t>(target.u64(r.offset, "REL addend"))
                             : static_cast<int32_t>(target.u32(r.offset, "REL addend"));
      if (addend_known && r.type == absolute && r.symbol < symbols.size()) {
        const ElfSymbol& sym = symbols[r.symbol];
        if (sym.shndx == SHN_UNDEF && r.symbol != 0)
          p = Pointer{Pointer::To::external, 0};
        else if (defined_in_section(sym))
          p = Pointer{Pointer::To::address, address_of(elf, sym) + static_cast<uint64_t>(r.addend)};
      }
      image.relocations[slot] = p;
    }
  }
}

// The registration layout: a module's kernel's, the file's own BTF, else
// mainline's documented one. nullopt: the file's BTF shows no LUO at all.
std::optional<RegistrationLayout> layout_of(const LibelfFile& elf, Bytes file,
                                            const RegistrationOptions& options, std::string* words,
                                            std::optional<RegistrationLayout>* own) {
  const ElfHeader& h = elf.header();
  const unsigned pointer_size = h.elf_class == 64 ? 8 : 4;
  const bool relocatable = h.type == ET_REL;
  const ElfSection* btf = nullptr;
  for (const auto& s : elf.sections())
    if (s.name == ".BTF" && s.has_file_bytes()) btf = &s;
  if (relocatable && options.base_layout) {
    *words = "the kernel's BTF";
    return options.base_layout;
  }
  if (btf != nullptr && !relocatable) {
    const Bytes b = section_reader(elf, *btf, file).data();
    auto found = layout_from_btf(b, pointer_size);
    if (!found) {
      Error e = std::move(found).error();
      e.offset = btf->offset;
      throw ParseError(std::move(e));
    }
    *words = "BTF";
    *own = *found;
    return *found;
  }
  // No BTF, or a module's split BTF without its base: mainline's layout,
  // with the ops objects' exact sizes from the symbol table.
  *words = "documented layout";
  return documented_layout(pointer_size);
}

// The file's loaded sections by address, as much of each as `present` kept.
MemoryImage section_image(const LibelfFile& elf, Bytes file, const std::vector<ByteRange>& present,
                          std::set<size_t>* regions, bool* partly_kept) {
  const ElfHeader& h = elf.header();
  MemoryImage image;
  image.pointer_size = h.elf_class == 64 ? 8 : 4;
  image.order = h.order;
  image.relocatable = h.type == ET_REL;
  for (const auto& s : elf.sections()) {
    if ((s.flags & SHF_ALLOC) == 0 || !s.has_file_bytes() || s.size == 0) continue;
    const std::vector<ByteRange> kept = clip_to_present({s.offset, s.size}, present);
    for (const ByteRange& r : kept)
      image.regions.push_back({base_of(elf, s.index) + (r.offset - s.offset), r.offset,
                               file.subspan(r.offset, r.size), kind_of(s)});
    regions->insert(s.index);
    *partly_kept |= kept.size() != 1 || kept.front().size != s.size;
  }
  return image;
}

bool in_rfc_table(const void* e, uint64_t offset) {
  return in_table_section(*static_cast<const LibelfFile*>(e), offset);
}

}  // namespace

Derivation derive_registrations(const LibelfFile& elf, Bytes file,
                                const std::vector<ByteRange>& present,
                                const RegistrationOptions& options) {
  Derivation result;
  const ElfHeader& h = elf.header();
  const ElfSection* symtab = nullptr;
  for (const auto& s : elf.sections())
    if (s.type == SHT_SYMTAB) symtab = &s;
  if (symtab == nullptr) return result;
  result.searched = true;
  const ElfSection* strtab = section_at(elf, symtab->link);
  if (strtab == nullptr || strtab->type != SHT_STRTAB)
    fail(ErrorKind::malformed, symtab->offset, "the symbol table's string table is missing");
  const std::vector<ElfSymbol> symbols = read_symbols(
      section_reader(elf, *symtab, file), section_reader(elf, *strtab, file), h.elf_class);

  const bool relocatable = h.type == ET_REL;
  std::string layout_words;
  const std::optional<RegistrationLayout> layout =
      layout_of(elf, file, options, &layout_words, &result.own_layout);
  std::set<size_t> regions;
  bool partly_kept = false;
  MemoryImage image = section_image(elf, file, present, &regions, &partly_kept);
  std::map<uint64_t, uint64_t> sizes;
  for (const ElfSymbol& s : symbols)
    if (s.type == STT_OBJECT && defined_in_section(s) && regions.count(s.shndx) != 0)
      sizes.emplace(address_of(elf, s), s.size);
  image.object_sizes = std::move(sizes);
  if (relocatable) add_relocations(elf, file, symbols, symtab->index, image);

  LocatedTable out;
  out.location.method = TableMethod::registrations;
  out.location.shape = TableShape::merged;
  out.location.section = symtab->name;
  out.location.offset = symtab->offset;
  out.location.size = symtab->size;
  out.location.evidence = "symtab + " + layout_words;
  const RegistrationSearch search{Evidence::symtab, options.module_name, !relocatable};
  // Core strings are the kernel's own: a module does not write LUO's FDT.
  // An RFC table's entries are no evidence of what the code writes, and
  // would only repeat the table: its sections are not searched.
  if (!relocatable) add_core_strings(out, image, options.core_forms, search, in_rfc_table, &elf);
  if (layout) {
    std::vector<ObjectCandidate> candidates;
    for (const ElfSymbol& s : symbols)
      if (s.type == STT_OBJECT && defined_in_section(s) && regions.count(s.shndx) != 0)
        candidates.push_back({s.name, address_of(elf, s), s.size});
    add_registrations(out, image, candidates, *layout, search);
  }
  if (out.table.entries.empty() && out.location.near_misses.empty()) return result;
  if (!present.empty() && partly_kept)
    out.table.warnings.push_back({0,
                                  "parts of the image were not kept by the stream capture; "
                                  "registrations there are not seen"});
  result.table = std::move(out);
  return result;
}

namespace {

// Objects in writable data whose first word points into read-only data and
// which hold a valid compatible where the layout puts it: what a scan hands
// the matcher, which then checks the ops' shape and the zero list heads.
// Without sizes only a layout with an exact size can be matched.
std::vector<ObjectCandidate> scan_candidates(const MemoryImage& image,
                                             const RegistrationLayout& layout) {
  std::vector<ObjectCandidate> out;
  std::vector<const ObjectLayout*> kinds;
  for (const ObjectLayout* l : {&layout.handler, &layout.flb})
    if (l->exact) kinds.push_back(l);
  const unsigned p = image.pointer_size;
  for (const MemoryRegion& r : image.regions) {
    if (r.kind != RegionKind::data) continue;
    for (uint64_t at = (p - r.address % p) % p; at + p <= r.bytes.size(); at += p) {
      const uint64_t address = r.address + at;
      const auto ops = image.pointer_at(address);
      if (!ops || ops->to != Pointer::To::address) continue;
      const MemoryRegion* o = image.region_of(ops->address, 1);
      if (o == nullptr || o->kind != RegionKind::rodata) continue;
      for (const ObjectLayout* l : kinds) {
        const auto field = image.read(address + l->compatible_offset, l->compatible_size);
        if (field && compatible_in(*field)) {
          out.push_back({"", address, std::nullopt, std::nullopt});
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace

std::optional<LocatedTable> scan_registrations(const LibelfFile& elf, Bytes file,
                                               const RegistrationOptions& options) {
  if (elf.header().type == ET_REL) return std::nullopt;  // a module has its symbol table
  std::string layout_words;
  std::optional<RegistrationLayout> own;
  const std::optional<RegistrationLayout> layout =
      layout_of(elf, file, options, &layout_words, &own);
  std::set<size_t> regions;
  bool partly_kept = false;
  const MemoryImage image = section_image(elf, file, {}, &regions, &partly_kept);
  LocatedTable out;
  out.location.method = TableMethod::registrations;
  out.location.shape = TableShape::merged;
  out.location.evidence = "scan + " + layout_words;
  const RegistrationSearch search{Evidence::scan, "", true};
  add_core_strings(out, image, options.core_forms, search, in_rfc_table, &elf);
  if (layout) {
    // Without symbol sizes, a handler read as an FLB may pass (its ops start
    // with function pointers too). An FLB's private state is zero in an
    // image (filled at registration): requiring that, as the handler's list
    // heads are required zero, tells the two apart.
    RegistrationLayout strict = *layout;
    if (strict.flb.zero_from == 0 && strict.flb.link_offset)
      strict.flb.zero_from = *strict.flb.link_offset;
    add_registrations(out, image, scan_candidates(image, strict), strict, search);
    if (!layout->flb.exact)
      out.table.warnings.push_back(
          {0, fmt::format("FLBs are not searched: a scan needs their exact size, which "
                          "only the kernel's BTF gives ({})",
                          layout_words)});
  }
  if (out.table.entries.empty()) return std::nullopt;
  return out;
}

}  // namespace lucompat
