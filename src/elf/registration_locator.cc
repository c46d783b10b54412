#include "elf/registration_locator.h"

#include <elf.h>
#include <fmt/format.h>

#include "lucompat/derive/derivation.h"
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

bool is_data_section(const std::string& name) {
  return name == ".data" || name.starts_with(".data.") || name.starts_with(".data..");
}

// By section flags and names: for a module, and for a linked file without
// the linker's region markers.
RegionKind kind_of(const ElfSection& s) {
  // 64-bit PowerPC ELFv1: a function pointer is the address of the function's
  // descriptor in .opd, not of its code.
  if (s.name == ".opd") return RegionKind::text;
  // Constant data holding pointers, in position-independent code (ppc64's
  // ops structs): writable only for the relocations applied at load.
  if (s.name == ".data.rel.ro" || s.name.starts_with(".data.rel.ro.")) return RegionKind::rodata;
  // x86_64 links .text..relocate_kernel into .data, so .data is executable
  // there; its objects are data all the same.
  if ((s.flags & SHF_WRITE) != 0 && is_data_section(s.name)) return RegionKind::data;
  if ((s.flags & SHF_EXECINSTR) != 0) return RegionKind::text;
  if ((s.flags & SHF_WRITE) == 0) return RegionKind::rodata;
  // x86's vmlinux links .rodata into a writable segment (early boot writes
  // beside it before mark_rodata_ro()); at run time it is read-only.
  if (s.name == ".rodata" || s.name.starts_with(".rodata.")) return RegionKind::rodata;
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

// The build's own BTF: a linked file's .BTF. A module's is split BTF, which
// holds only its own types.
std::optional<Bytes> own_btf(const LibelfFile& elf, Bytes file, uint64_t* offset) {
  if (elf.header().type == ET_REL) return std::nullopt;
  for (const auto& s : elf.sections())
    if (s.name == ".BTF" && s.has_file_bytes()) {
      *offset = s.offset;
      return section_reader(elf, s, file).data();
    }
  return std::nullopt;
}

// What r2 holds on ppc64: the TOC base each function descriptor in .opd
// names (ELFv1), else .TOC., which both linkers put 0x8000 past .got.
std::optional<uint64_t> ppc64_toc(const LibelfFile& elf, Bytes file) {
  constexpr uint64_t kTocBias = 0x8000;
  for (const auto& s : elf.sections())
    if (s.name == ".opd" && s.has_file_bytes() && s.size >= 16)
      return section_reader(elf, s, file).u64(8, ".opd descriptor's TOC");
  for (const auto& s : elf.sections())
    if (s.name == ".got") return s.addr + kTocBias;
  return std::nullopt;
}

CodeModel code_model(const LibelfFile& elf, Bytes file) {
  switch (elf.header().machine) {
    case EM_X86_64:
      return {Isa::x86_64, std::nullopt};
    case EM_386:
      return {Isa::i386, std::nullopt};
    case EM_AARCH64:
      return {Isa::arm64, std::nullopt};
    case EM_ARM:
      return {Isa::arm, std::nullopt};
    case EM_RISCV:
      return {Isa::riscv, std::nullopt};
    case EM_PPC64:
      return {Isa::ppc64, ppc64_toc(elf, file)};
    case EM_S390:
      return {Isa::s390x, std::nullopt};
    default:
      return {};
  }
}

MemoryImage empty_image(const LibelfFile& elf) {
  MemoryImage image;
  image.pointer_size = elf.header().elf_class == 64 ? 8 : 4;
  image.order = elf.header().order;
  image.relocatable = elf.header().type == ET_REL;
  return image;
}

// The loaded sections by address, each classified by its flags and name.
std::vector<MemoryRegion> section_regions(const LibelfFile& elf, Bytes file) {
  std::vector<MemoryRegion> out;
  for (const auto& s : elf.sections())
    if ((s.flags & SHF_ALLOC) != 0 && s.has_file_bytes() && s.size != 0)
      out.push_back({base_of(elf, s.index), s.offset, file.subspan(s.offset, s.size), kind_of(s)});
  return out;
}

// A linked kernel's regions by the linker's markers, when its symbols have
// them (every vmlinux), with ppc64's function descriptors as code; else by
// sections.
std::vector<MemoryRegion> linked_regions(const LibelfFile& elf, Bytes file,
                                         const SymbolLookup& symbols) {
  std::vector<AddressRange> ranges;
  for (const auto& p : elf.segments())
    if (p.type == PT_LOAD && p.filesz != 0) ranges.push_back({p.vaddr, p.offset, p.filesz});
  std::vector<MemoryRegion> regions = regions_by_markers(symbols, ranges, file);
  const bool has_data = std::any_of(regions.begin(), regions.end(), [](const MemoryRegion& r) {
    return r.kind == RegionKind::data;
  });
  if (!has_data) return section_regions(elf, file);
  std::vector<MemoryRegion> out;
  for (const auto& s : elf.sections())
    if (s.name == ".opd" && s.has_file_bytes() && s.size != 0)
      out.push_back({s.addr, s.offset, file.subspan(s.offset, s.size), RegionKind::text});
  out.insert(out.end(), regions.begin(), regions.end());
  return out;
}

// Each region cut to what the stream capture kept; `cut` says whether any was.
std::vector<MemoryRegion> kept_regions(const std::vector<MemoryRegion>& regions, Bytes file,
                                       const std::vector<ByteRange>& present, bool* cut) {
  if (present.empty()) return regions;
  std::vector<MemoryRegion> out;
  for (const MemoryRegion& r : regions) {
    const std::vector<ByteRange> kept = clip_to_present({r.offset, r.bytes.size()}, present);
    for (const ByteRange& k : kept)
      out.push_back(
          {r.address + (k.offset - r.offset), k.offset, file.subspan(k.offset, k.size), r.kind});
    *cut |= kept.size() != 1 || kept.front().size != r.bytes.size();
  }
  return out;
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
  const ElfSection* strtab = section_at(elf, symtab->link);
  if (strtab == nullptr || strtab->type != SHT_STRTAB)
    fail(ErrorKind::malformed, symtab->offset, "the symbol table's string table is missing");
  const std::vector<ElfSymbol> symbols = read_symbols(
      section_reader(elf, *symtab, file), section_reader(elf, *strtab, file), h.elf_class);

  const bool relocatable = h.type == ET_REL;
  SymbolAddresses by_name;
  for (const ElfSymbol& s : symbols)
    if (s.shndx != SHN_UNDEF && !s.name.empty()) by_name.emplace(s.name, address_of(elf, s));
  ImageEvidence ev;
  ev.symbols = lookup_in(by_name);
  ev.evidence = Evidence::symtab;
  ev.basis = "symtab";
  ev.section = symtab->name;
  ev.offset = symtab->offset;
  ev.release = options.release;
  ev.symbols_complete = true;
  ev.btf = own_btf(elf, file, &ev.btf_offset);
  ev.base_model = relocatable ? options.base_model : std::nullopt;
  ev.kernel = !relocatable;
  ev.module = options.module_name;
  ev.link_addresses = !relocatable;
  ev.not_code = [&elf](uint64_t offset) { return in_table_section(elf, offset); };
  ev.image = empty_image(elf);
  bool cut = false;
  ev.image.regions =
      kept_regions(relocatable ? section_regions(elf, file) : linked_regions(elf, file, ev.symbols),
                   file, present, &cut);
  if (cut)
    ev.gaps.push_back({GapKind::unread_region,
                       "parts of the image were not kept by the stream capture; objects there "
                       "are not seen"});
  std::map<uint64_t, uint64_t> sizes;
  for (const ElfSymbol& s : symbols)
    if (s.type == STT_OBJECT && defined_in_section(s)) {
      sizes.emplace(address_of(elf, s), s.size);
      ev.candidates.push_back({s.name, address_of(elf, s), s.size, std::nullopt});
    }
  ev.image.object_sizes = std::move(sizes);
  if (relocatable) add_relocations(elf, file, symbols, symtab->index, ev.image);

  result.set = derive_from_image(ev, options.core_forms);
  if (ev.btf) result.own_model = result.set->model;
  return result;
}

namespace {

// Objects in writable data whose first word points into read-only data and
// which hold a valid compatible where the layout puts it: what a scan hands
// the matcher, which then checks the ops' shape and the zero list heads.
// Without sizes only a layout with an exact size can be matched.
std::vector<ObjectCandidate> scan_candidates(const MemoryImage& image, const LuoModel& model) {
  std::vector<ObjectCandidate> out;
  std::vector<const ObjectLayout*> kinds;
  for (const ObjectLayout* l : {&model.handler, &model.flb})
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

std::optional<DerivedSet> scan_registrations(const LibelfFile& elf, Bytes file,
                                             const RegistrationOptions& options) {
  if (elf.header().type == ET_REL) return std::nullopt;  // a module has its symbol table
  ImageEvidence ev;
  ev.evidence = Evidence::scan;
  ev.basis = "scan";
  ev.release = options.release;
  ev.btf = own_btf(elf, file, &ev.btf_offset);
  ev.not_code = [&elf](uint64_t offset) { return in_table_section(elf, offset); };
  ev.image = empty_image(elf);
  ev.image.regions = section_regions(elf, file);
  ev.image.code = code_model(elf, file);
  const ModelChoice choice =
      choose_model(ev.btf, std::nullopt, options.release, ev.image.pointer_size);
  if (choice.model) {
    ev.candidates = scan_candidates(ev.image, *choice.model);
    if (!choice.model->flb.exact)
      ev.gaps.push_back({GapKind::unsearched_kind,
                         fmt::format("FLBs are not searched: a scan needs their exact size, which "
                                     "only the kernel's BTF gives ({})",
                                     choice.model->source)});
  }
  DerivedSet set = derive_from_image(ev, options.core_forms);
  if (set.entries.empty()) return std::nullopt;
  return set;
}

}  // namespace lucompat
