#include "lucompat/elf/elf_records.h"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace lucompat {
namespace {

// A field of `width` bytes at `at`, zero-extended.
uint64_t field(const ByteReader& r, uint64_t at, size_t width, const char* name) {
  switch (width) {
    case 1:
      return r.u8(at, name);
    case 2:
      return r.u16(at, name);
    case 4:
      return r.u32(at, name);
    default:
      return r.u64(at, name);
  }
}

// Member `m` of the <elf.h> record `T` at `base`: its offset and width are
// the record's own.
#define ELF_FIELD(r, base, T, m) field((r), (base) + offsetof(T, m), sizeof(T::m), #m)

struct Class32 {
  using Ehdr = Elf32_Ehdr;
  using Phdr = Elf32_Phdr;
  using Shdr = Elf32_Shdr;
  using Sym = Elf32_Sym;
  using Rel = Elf32_Rel;
  using Rela = Elf32_Rela;
  static uint32_t symbol_of(uint64_t info) { return static_cast<uint32_t>(ELF32_R_SYM(info)); }
  static uint32_t type_of(uint64_t info) { return static_cast<uint32_t>(ELF32_R_TYPE(info)); }
  static int64_t signed_addend(uint64_t a) {
    return static_cast<int32_t>(static_cast<uint32_t>(a));
  }
};

struct Class64 {
  using Ehdr = Elf64_Ehdr;
  using Phdr = Elf64_Phdr;
  using Shdr = Elf64_Shdr;
  using Sym = Elf64_Sym;
  using Rel = Elf64_Rel;
  using Rela = Elf64_Rela;
  static uint32_t symbol_of(uint64_t info) { return static_cast<uint32_t>(ELF64_R_SYM(info)); }
  static uint32_t type_of(uint64_t info) { return static_cast<uint32_t>(ELF64_R_TYPE(info)); }
  static int64_t signed_addend(uint64_t a) { return static_cast<int64_t>(a); }
};

template <typename C>
void read_header_as(const ByteReader& r, ElfFileHeader& h) {
  using Ehdr = typename C::Ehdr;
  (void)r.bytes(0, sizeof(Ehdr), "the ELF header");
  h.type = static_cast<uint16_t>(ELF_FIELD(r, 0, Ehdr, e_type));
  h.machine = static_cast<uint16_t>(ELF_FIELD(r, 0, Ehdr, e_machine));
  h.phoff = ELF_FIELD(r, 0, Ehdr, e_phoff);
  h.shoff = ELF_FIELD(r, 0, Ehdr, e_shoff);
  h.phentsize = static_cast<uint16_t>(ELF_FIELD(r, 0, Ehdr, e_phentsize));
  h.phnum = static_cast<uint32_t>(ELF_FIELD(r, 0, Ehdr, e_phnum));
  h.shentsize = static_cast<uint16_t>(ELF_FIELD(r, 0, Ehdr, e_shentsize));
  h.shnum = static_cast<uint32_t>(ELF_FIELD(r, 0, Ehdr, e_shnum));
  h.shstrndx = static_cast<uint32_t>(ELF_FIELD(r, 0, Ehdr, e_shstrndx));
}

template <typename C>
ElfProgramHeader program_header_as(const ByteReader& r, uint64_t at) {
  using Phdr = typename C::Phdr;
  (void)r.bytes(at, sizeof(Phdr), "a program header");
  return {static_cast<uint32_t>(ELF_FIELD(r, at, Phdr, p_type)), ELF_FIELD(r, at, Phdr, p_offset),
          ELF_FIELD(r, at, Phdr, p_vaddr), ELF_FIELD(r, at, Phdr, p_filesz),
          ELF_FIELD(r, at, Phdr, p_align)};
}

template <typename C>
ElfSectionHeader section_header_as(const ByteReader& r, uint64_t at) {
  using Shdr = typename C::Shdr;
  (void)r.bytes(at, sizeof(Shdr), "a section header");
  return {static_cast<uint32_t>(ELF_FIELD(r, at, Shdr, sh_name)),
          static_cast<uint32_t>(ELF_FIELD(r, at, Shdr, sh_type)),
          ELF_FIELD(r, at, Shdr, sh_flags),
          ELF_FIELD(r, at, Shdr, sh_addr),
          ELF_FIELD(r, at, Shdr, sh_offset),
          ELF_FIELD(r, at, Shdr, sh_size),
          ELF_FIELD(r, at, Shdr, sh_addralign),
          static_cast<uint32_t>(ELF_FIELD(r, at, Shdr, sh_link)),
          static_cast<uint32_t>(ELF_FIELD(r, at, Shdr, sh_info))};
}

template <typename C>
ElfSymbolRecord symbol_as(const ByteReader& r, uint64_t at) {
  using Sym = typename C::Sym;
  return {static_cast<uint32_t>(ELF_FIELD(r, at, Sym, st_name)),
          static_cast<uint8_t>(ELF_FIELD(r, at, Sym, st_info)),
          static_cast<uint16_t>(ELF_FIELD(r, at, Sym, st_shndx)), ELF_FIELD(r, at, Sym, st_value),
          ELF_FIELD(r, at, Sym, st_size)};
}

template <typename C>
ElfRelocation relocation_as(const ByteReader& r, bool rela, uint64_t at) {
  using Rel = typename C::Rel;
  using Rela = typename C::Rela;
  const uint64_t info = ELF_FIELD(r, at, Rel, r_info);
  ElfRelocation out{ELF_FIELD(r, at, Rel, r_offset), C::symbol_of(info), C::type_of(info), 0};
  if (rela) out.addend = C::signed_addend(ELF_FIELD(r, at, Rela, r_addend));
  return out;
}

#undef ELF_FIELD

}  // namespace

ElfFileHeader read_file_header(Bytes file) {
  if (file.size() < SELFMAG || std::memcmp(file.data(), ELFMAG, SELFMAG) != 0)
    fail(ErrorKind::malformed, 0, "expected the ELF magic 7f 45 4c 46");
  const ByteReader ident(file, ByteOrder::little);
  const uint8_t cls = ident.u8(EI_CLASS, "ELF class (EI_CLASS)");
  if (cls != ELFCLASS32 && cls != ELFCLASS64)
    fail(ErrorKind::malformed, EI_CLASS,
         fmt::format("invalid ELF class {} (expected 1 for ELF32 or 2 for ELF64)", cls));
  const uint8_t data = ident.u8(EI_DATA, "ELF byte order (EI_DATA)");
  if (data != ELFDATA2LSB && data != ELFDATA2MSB)
    fail(ErrorKind::malformed, EI_DATA,
         fmt::format("invalid ELF byte order {} (expected 1 for LSB or 2 for MSB)", data));
  const uint8_t version = ident.u8(EI_VERSION, "ELF version (EI_VERSION)");
  if (version != EV_CURRENT)
    fail(ErrorKind::unsupported, EI_VERSION,
         fmt::format("unsupported ELF version {} (expected 1)", version));
  ElfFileHeader h;
  h.elf_class = cls == ELFCLASS64 ? 64 : 32;
  h.order = data == ELFDATA2MSB ? ByteOrder::big : ByteOrder::little;
  const ByteReader r(file, h.order);
  if (h.elf_class == 64)
    read_header_as<Class64>(r, h);
  else
    read_header_as<Class32>(r, h);
  return h;
}

namespace {

// Where record `index` of a table starts; a sum that passes 2^64 would wrap
// to an offset inside the file, where another record would be read.
uint64_t record_offset(uint64_t table, uint64_t entsize, uint64_t index, const char* what) {
  uint64_t skip = 0, at = 0;
  if (__builtin_mul_overflow(index, entsize, &skip) || __builtin_add_overflow(table, skip, &at))
    fail(ErrorKind::malformed, std::nullopt,
         fmt::format("{} {} ({} bytes each, the table at {:#x}) lies beyond 2^64", what, index,
                     entsize, table));
  return at;
}

}  // namespace

ElfProgramHeader read_program_header(const ByteReader& r, int elf_class, uint64_t table,
                                     uint64_t entsize, uint64_t index) {
  const uint64_t at = record_offset(table, entsize, index, "program header");
  return elf_class == 64 ? program_header_as<Class64>(r, at) : program_header_as<Class32>(r, at);
}

uint64_t declared_extent(Bytes file) {
  const ElfFileHeader h = read_file_header(file);
  const auto end = [](uint64_t offset, uint64_t size) {
    return size > UINT64_MAX - offset ? UINT64_MAX : offset + size;
  };
  uint64_t out = h.shnum == 0 ? 0 : end(h.shoff, uint64_t{h.shentsize} * h.shnum);
  if (h.phnum != 0 && h.phentsize < program_header_size(h.elf_class))
    fail(ErrorKind::malformed, std::nullopt,
         fmt::format("program headers of {} bytes; expected at least {}", h.phentsize,
                     program_header_size(h.elf_class)));
  const ByteReader r(file, h.order);
  for (uint64_t i = 0; i < h.phnum; ++i) {
    const ElfProgramHeader p = read_program_header(r, h.elf_class, h.phoff, h.phentsize, i);
    out = std::max(out, end(p.offset, p.filesz));
  }
  return out;
}

ElfSectionHeader read_section_header(const ByteReader& r, int elf_class, uint64_t table,
                                     uint64_t entsize, uint64_t index) {
  const uint64_t at = record_offset(table, entsize, index, "section header");
  return elf_class == 64 ? section_header_as<Class64>(r, at) : section_header_as<Class32>(r, at);
}

ElfSymbolRecord read_symbol(const ByteReader& r, int elf_class, uint64_t at) {
  return elf_class == 64 ? symbol_as<Class64>(r, at) : symbol_as<Class32>(r, at);
}

ElfRelocation read_relocation(const ByteReader& r, int elf_class, bool rela, uint64_t at) {
  return elf_class == 64 ? relocation_as<Class64>(r, rela, at)
                         : relocation_as<Class32>(r, rela, at);
}

uint64_t program_header_size(int elf_class) {
  return elf_class == 64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
}
uint64_t section_header_size(int elf_class) {
  return elf_class == 64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
}
uint64_t symbol_size(int elf_class) {
  return elf_class == 64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
}
uint64_t relocation_size(int elf_class, bool rela) {
  if (elf_class == 64) return rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);
  return rela ? sizeof(Elf32_Rela) : sizeof(Elf32_Rel);
}

}  // namespace lucompat
