#include "elf/libelf_file.h"

#include <elf.h>
#include <fmt/format.h>
#include <gelf.h>
#include <libelf.h>

#include <cstring>
#include <mutex>

namespace lucompat {
namespace {

[[noreturn]] void libelf_fail(std::string_view what) {
  fail(ErrorKind::malformed, std::nullopt, fmt::format("{}: {}", what, elf_errmsg(-1)));
}

void init_libelf() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (elf_version(EV_CURRENT) == EV_NONE) libelf_fail("libelf initialisation failed");
  });
}

std::string hex(const unsigned char* p, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", p[i]);
  return out;
}

std::optional<std::string> find_build_id(Elf_Data* data) {
  if (data == nullptr) return std::nullopt;
  GElf_Nhdr nhdr;
  size_t name_off = 0, desc_off = 0;
  for (size_t off = 0; (off = gelf_getnote(data, off, &nhdr, &name_off, &desc_off)) > 0;) {
    const auto* base = static_cast<const unsigned char*>(data->d_buf);
    if (nhdr.n_type == NT_GNU_BUILD_ID && nhdr.n_namesz == 4 &&
        std::memcmp(base + name_off, "GNU", 4) == 0 && nhdr.n_descsz > 0)
      return hex(base + desc_off, nhdr.n_descsz);
  }
  return std::nullopt;
}

}  // namespace

struct LibelfFile::Handle {
  Elf* elf = nullptr;
  ~Handle() {
    if (elf != nullptr) elf_end(elf);
  }
};

bool ElfSection::has_file_bytes() const { return type != SHT_NOBITS; }

LibelfFile::LibelfFile(Bytes file, ElfExtent extent)
    : header_(parse_elf_header(file, extent != ElfExtent::whole)), elf_(new Handle) {
  init_libelf();
  // elf_memory opens the image read-only (ELF_C_READ): it never writes to it.
  auto* image = const_cast<char*>(reinterpret_cast<const char*>(file.data()));
  elf_->elf = elf_memory(image, file.size());
  if (elf_->elf == nullptr || elf_kind(elf_->elf) != ELF_K_ELF)
    libelf_fail("libelf cannot read the ELF file");
  load_segments(file, extent);
  if (extent == ElfExtent::whole) load_sections(file);
}

LibelfFile::~LibelfFile() = default;

void LibelfFile::load_segments(Bytes file, ElfExtent extent) {
  const ByteReader r(file, header_.order);
  for (size_t i = 0; i < header_.phnum; ++i) {
    GElf_Phdr ph;
    if (gelf_getphdr(elf_->elf, static_cast<int>(i), &ph) == nullptr)
      libelf_fail(fmt::format("program header {}", i));
    const ElfProgramHeader s{ph.p_type, ph.p_offset, ph.p_vaddr, ph.p_filesz, ph.p_align};
    if (!r.contains(s.offset, s.filesz) && extent == ElfExtent::prefix)
      continue;  // beyond where the stream stopped
    if (!r.contains(s.offset, s.filesz))
      fail_beyond_end(
          s.offset, file.size(), header_.phoff + i * header_.phentsize,
          fmt::format("segment {} ({:#x} bytes) extends beyond the end of the file at {:#x}", i,
                      s.filesz, file.size()));
    segments_.push_back(s);
  }
}

void LibelfFile::load_sections(Bytes file) {
  const ByteReader r(file, header_.order);
  for (size_t i = 1; i < header_.shnum; ++i) {
    Elf_Scn* scn = elf_getscn(elf_->elf, i);
    GElf_Shdr sh;
    if (scn == nullptr || gelf_getshdr(scn, &sh) == nullptr)
      libelf_fail(fmt::format("section header {}", i));
    const char* name = elf_strptr(elf_->elf, header_.shstrndx, sh.sh_name);
    ElfSection s{{static_cast<uint32_t>(sh.sh_name), sh.sh_type, sh.sh_flags, sh.sh_addr,
                  sh.sh_offset, sh.sh_size, sh.sh_addralign, sh.sh_link, sh.sh_info},
                 i,
                 name != nullptr ? name : ""};
    if (name == nullptr)
      fail(ErrorKind::malformed, header_offset(s),
           fmt::format("section {} has a name offset {:#x} outside the section name table", i,
                       sh.sh_name));
    if (s.has_file_bytes() && !r.contains(s.offset, s.size))
      fail_beyond_end(
          s.offset, file.size(), header_offset(s),
          fmt::format("section {} ({:#x} bytes) extends beyond the end of the file at {:#x}",
                      s.name, s.size, file.size()));
    sections_.push_back(std::move(s));
  }
}

std::optional<std::string> LibelfFile::build_id() const {
  for (const auto& s : sections_) {
    if (s.type != SHT_NOTE) continue;
    if (auto id = find_build_id(elf_getdata(elf_getscn(elf_->elf, s.index), nullptr))) return id;
  }
  if (!sections_.empty()) return std::nullopt;
  for (const auto& p : segments_) {
    if (p.type != PT_NOTE) continue;
    const Elf_Type t = p.align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR;
    if (auto id = find_build_id(
            elf_getdata_rawchunk(elf_->elf, static_cast<int64_t>(p.offset), p.filesz, t)))
      return id;
  }
  return std::nullopt;
}

}  // namespace lucompat
