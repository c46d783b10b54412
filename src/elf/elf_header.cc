#include "elf/elf_header.h"

#include <elf.h>
#include <fmt/format.h>

#include <cstring>

namespace lucompat {
namespace {

void check_table(const ByteReader& r, std::string_view what, uint64_t off, uint64_t count,
                 uint64_t entsize, uint64_t expected_entsize) {
  if (count == 0) return;
  if (entsize != expected_entsize)
    fail(ErrorKind::malformed, std::nullopt,
         fmt::format("{} entry size is {}, expected {}", what, entsize, expected_entsize));
  // count <= 2^32 and entsize <= 64, so the product cannot overflow.
  if (!r.contains(off, count * entsize))
    fail(ErrorKind::malformed, off,
         fmt::format("{} ({} entries of {} bytes) extends beyond the end of the file at {:#x}",
                     what, count, entsize, r.size()));
}

}  // namespace

bool has_elf_magic(Bytes data) {
  return data.size() >= SELFMAG && std::memcmp(data.data(), ELFMAG, SELFMAG) == 0;
}

ElfHeader parse_elf_header(Bytes file, bool cut) {
  if (!has_elf_magic(file))
    fail(ErrorKind::malformed, 0, "expected the ELF magic 7f 45 4c 46");
  ElfHeader h;
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
  h.elf_class = cls == ELFCLASS64 ? 64 : 32;
  h.order = data == ELFDATA2MSB ? ByteOrder::big : ByteOrder::little;

  const ByteReader r(file, h.order);
  const bool is64 = h.elf_class == 64;
  (void)r.bytes(0, is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr), "the ELF header");
  h.type = r.u16(16, "e_type");
  h.machine = r.u16(18, "e_machine");
  h.phoff = is64 ? r.u64(32, "e_phoff") : r.u32(28, "e_phoff");
  h.shoff = is64 ? r.u64(40, "e_shoff") : r.u32(32, "e_shoff");
  const uint64_t at = is64 ? 54 : 42;  // e_phentsize, then five more u16 fields
  h.phentsize = r.u16(at, "e_phentsize");
  h.phnum = r.u16(at + 2, "e_phnum");
  h.shentsize = r.u16(at + 4, "e_shentsize");
  h.shnum = r.u16(at + 6, "e_shnum");
  h.shstrndx = r.u16(at + 8, "e_shstrndx");

  if (cut) {
    h.sections_cut = h.shoff != 0;
    h.shoff = h.shnum = h.shstrndx = 0;
  }
  const uint64_t shdr_size = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
  const bool extended = h.shoff != 0 && (h.shnum == 0 || h.shstrndx == SHN_XINDEX);
  if (extended) {
    // More than 0xff00 sections: the real counts live in section 0.
    if (h.shentsize != shdr_size)
      fail(ErrorKind::malformed, std::nullopt,
           fmt::format("section header entry size is {}, expected {}", h.shentsize, shdr_size));
    const ByteReader s0 = r.slice(h.shoff, shdr_size, "section header 0");
    if (h.shnum == 0) {
      const uint64_t n = is64 ? s0.u64(32, "sh_size of section 0") : s0.u32(20, "sh_size of section 0");
      if (n > UINT32_MAX)
        fail(ErrorKind::malformed, h.shoff, fmt::format("absurd section count {}", n));
      h.shnum = static_cast<uint32_t>(n);
    }
    if (h.shstrndx == SHN_XINDEX) h.shstrndx = s0.u32(is64 ? 40 : 24, "sh_link of section 0");
  }
  if (h.shnum == 0 && h.shoff != 0)
    fail(ErrorKind::malformed, is64 ? 40 : 32, "e_shoff is set but there are no section headers");

  check_table(r, "the program header table", h.phoff, h.phnum, h.phentsize,
              is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr));
  check_table(r, "the section header table", h.shoff, h.shnum, h.shentsize, shdr_size);
  if (h.shnum != 0 && h.shstrndx >= h.shnum)
    fail(ErrorKind::malformed, at + 8,
         fmt::format("e_shstrndx {} names no section (there are {})", h.shstrndx, h.shnum));
  return h;
}

}  // namespace lucompat
