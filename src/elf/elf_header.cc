#include "lucompat/elf/elf_header.h"

#include "lucompat/elf/elf_records.h"

#include <elf.h>
#include <fmt/format.h>

#include <cstddef>
#include <cstring>

namespace lucompat {
namespace {

// `field`: where the header states the table's offset.
void check_table(const ByteReader& r, std::string_view what, uint64_t off, uint64_t field,
                 uint64_t count, uint64_t entsize, uint64_t expected_entsize) {
  if (count == 0) return;
  if (entsize != expected_entsize)
    fail(ErrorKind::malformed, std::nullopt,
         fmt::format("{} entry size is {}, expected {}", what, entsize, expected_entsize));
  // count <= 2^32 and entsize <= 64, so the product cannot overflow.
  if (!r.contains(off, count * entsize))
    fail_beyond_end(
        off, r.size(), field,
        fmt::format("{} ({} entries of {} bytes) extends beyond the end of the file at {:#x}", what,
                    count, entsize, r.size()));
}

}  // namespace

bool has_elf_magic(Bytes data) {
  return data.size() >= SELFMAG && std::memcmp(data.data(), ELFMAG, SELFMAG) == 0;
}

ElfHeader parse_elf_header(Bytes file, bool cut) {
  ElfHeader h;
  static_cast<ElfFileHeader&>(h) = read_file_header(file);
  const ByteReader r(file, h.order);
  if (cut) {
    h.sections_cut = h.shoff != 0;
    h.shoff = h.shnum = h.shstrndx = 0;
  }
  const uint64_t shdr_size = section_header_size(h.elf_class);
  const bool extended = h.shoff != 0 && (h.shnum == 0 || h.shstrndx == SHN_XINDEX);
  if (extended) {
    // More than 0xff00 sections: the real counts live in section 0.
    if (h.shentsize != shdr_size)
      fail(ErrorKind::malformed, std::nullopt,
           fmt::format("section header entry size is {}, expected {}", h.shentsize, shdr_size));
    const ElfSectionHeader s0 = read_section_header(r, h.elf_class, h.shoff, shdr_size, 0);
    if (h.shnum == 0) {
      if (s0.size > UINT32_MAX)
        fail(ErrorKind::malformed, h.shoff, fmt::format("absurd section count {}", s0.size));
      h.shnum = static_cast<uint32_t>(s0.size);
    }
    if (h.shstrndx == SHN_XINDEX) h.shstrndx = s0.link;
  }
  if (h.shnum == 0 && h.shoff != 0)
    fail(ErrorKind::malformed,
         h.elf_class == 64 ? offsetof(Elf64_Ehdr, e_shoff) : offsetof(Elf32_Ehdr, e_shoff),
         "e_shoff is set but there are no section headers");

  const bool is64 = h.elf_class == 64;
  check_table(r, "the program header table", h.phoff,
              is64 ? offsetof(Elf64_Ehdr, e_phoff) : offsetof(Elf32_Ehdr, e_phoff), h.phnum,
              h.phentsize, program_header_size(h.elf_class));
  check_table(r, "the section header table", h.shoff,
              is64 ? offsetof(Elf64_Ehdr, e_shoff) : offsetof(Elf32_Ehdr, e_shoff), h.shnum,
              h.shentsize, shdr_size);
  if (h.shnum != 0 && h.shstrndx >= h.shnum)
    fail(ErrorKind::malformed,
         h.elf_class == 64 ? offsetof(Elf64_Ehdr, e_shstrndx) : offsetof(Elf32_Ehdr, e_shstrndx),
         fmt::format("e_shstrndx {} names no section (there are {})", h.shstrndx, h.shnum));
  return h;
}

}  // namespace lucompat
