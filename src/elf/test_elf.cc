#include "elf/test_elf.h"

#include <cstddef>
#include <cstring>
#include <stdexcept>

namespace lucompat::testing {
namespace {

uint64_t align8(uint64_t v) { return (v + 7) & ~uint64_t{7}; }

struct Class64 {
  using Ehdr = Elf64_Ehdr;
  using Phdr = Elf64_Phdr;
  using Shdr = Elf64_Shdr;
};
struct Class32 {
  using Ehdr = Elf32_Ehdr;
  using Phdr = Elf32_Phdr;
  using Shdr = Elf32_Shdr;
};

}  // namespace

ElfBuilder::ElfBuilder(uint16_t type, int elf_class, ByteOrder order)
    : type_(type), class_(elf_class), order_(order) {}

uint64_t ElfBuilder::end() const {
  uint64_t end = class_ == 64 ? sizeof(Elf64_Ehdr) + kMaxSegments * sizeof(Elf64_Phdr)
                              : sizeof(Elf32_Ehdr) + kMaxSegments * sizeof(Elf32_Phdr);
  for (const Section& s : sections_)
    if (s.type != SHT_NOBITS) end = std::max(end, s.offset + s.size);
  return end;
}

size_t ElfBuilder::section(std::string name, std::string bytes, uint32_t type, uint64_t flags,
                           uint64_t addr, uint64_t at) {
  const uint64_t offset = at != 0 ? at : align8(end());
  if (offset < end()) throw std::logic_error("a section placed over another");
  const uint64_t size = bytes.size();
  sections_.push_back({std::move(name), type, flags, addr, offset, size, std::move(bytes)});
  return sections_.size();
}

size_t ElfBuilder::nobits(std::string name, uint64_t offset, uint64_t size) {
  sections_.push_back({std::move(name), SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 0, offset, size, {}});
  return sections_.size();
}

void ElfBuilder::link(size_t index, uint32_t link, uint32_t info) {
  sections_.at(index - 1).link = link;
  sections_.at(index - 1).info = info;
}

void ElfBuilder::segment(uint32_t type, uint64_t offset, uint64_t filesz, uint64_t vaddr) {
  if (segments_.size() == kMaxSegments) throw std::logic_error("too many segments");
  segments_.push_back({type, offset, filesz, vaddr});
}

std::string ElfBuilder::word(uint64_t value, int size) const {
  std::string out(static_cast<size_t>(size), '\0');
  for (int i = 0; i < size; ++i) {
    const int shift = order_ == ByteOrder::little ? 8 * i : 8 * (size - 1 - i);
    out[static_cast<size_t>(i)] = static_cast<char>((value >> shift) & 0xff);
  }
  return out;
}

// Member `m` of record `T` at `base`, at its <elf.h> offset and width.
#define PUT(T, base, m, v) put((base) + offsetof(T, m), (v), sizeof(T::m))

std::string ElfBuilder::build() const {
  const auto build_as = [&]<typename C>(C) {
    using Ehdr = typename C::Ehdr;
    using Phdr = typename C::Phdr;
    using Shdr = typename C::Shdr;
    std::string names(1, '\0');
    std::vector<uint64_t> name_at;
    for (const Section& s : sections_) {
      name_at.push_back(names.size());
      names += s.name + '\0';
    }
    const uint64_t names_name = names.size();
    names += std::string(".shstrtab") + '\0';
    const uint64_t names_offset = align8(end());
    const uint64_t shoff = shoff_ != 0 ? shoff_ : align8(names_offset + names.size());
    const uint64_t shnum = sections_.size() + 2;  // the null section, the names
    std::string out(section_headers_ ? shoff + shnum * sizeof(Shdr) : end(), '\0');
    const auto put = [&](uint64_t at, uint64_t v, size_t size) {
      const std::string w = word(v, static_cast<int>(size));
      out.replace(at, size, w);
    };

    std::memcpy(out.data(), ELFMAG, SELFMAG);
    out[EI_CLASS] = class_ == 64 ? ELFCLASS64 : ELFCLASS32;
    out[EI_DATA] = order_ == ByteOrder::little ? ELFDATA2LSB : ELFDATA2MSB;
    out[EI_VERSION] = EV_CURRENT;
    const bool little = order_ == ByteOrder::little;
    PUT(Ehdr, 0, e_type, type_);
    PUT(Ehdr, 0, e_machine,
        class_ == 64 ? (little ? EM_X86_64 : EM_S390) : (little ? EM_386 : EM_PPC));
    PUT(Ehdr, 0, e_version, EV_CURRENT);
    PUT(Ehdr, 0, e_ehsize, sizeof(Ehdr));
    PUT(Ehdr, 0, e_phentsize, sizeof(Phdr));
    PUT(Ehdr, 0, e_shentsize, sizeof(Shdr));
    if (!segments_.empty()) {
      PUT(Ehdr, 0, e_phoff, sizeof(Ehdr));
      PUT(Ehdr, 0, e_phnum, segments_.size());
    }
    for (size_t i = 0; i < segments_.size(); ++i) {
      const Segment& p = segments_[i];
      const uint64_t at = sizeof(Ehdr) + i * sizeof(Phdr);
      PUT(Phdr, at, p_type, p.type);
      PUT(Phdr, at, p_offset, p.offset);
      PUT(Phdr, at, p_vaddr, p.vaddr);
      PUT(Phdr, at, p_paddr, p.vaddr);
      PUT(Phdr, at, p_filesz, p.filesz);
      PUT(Phdr, at, p_memsz, p.filesz);
      PUT(Phdr, at, p_align, 8);
    }
    for (const Section& s : sections_)
      if (s.type != SHT_NOBITS) out.replace(s.offset, s.bytes.size(), s.bytes);
    if (!section_headers_) return out;

    out.replace(names_offset, names.size(), names);
    PUT(Ehdr, 0, e_shoff, shoff);
    PUT(Ehdr, 0, e_shnum, shnum);
    PUT(Ehdr, 0, e_shstrndx, shnum - 1);
    const auto header = [&](uint64_t index, uint64_t name, const Section& s) {
      const uint64_t at = shoff + index * sizeof(Shdr);
      PUT(Shdr, at, sh_name, name);
      PUT(Shdr, at, sh_type, s.type);
      PUT(Shdr, at, sh_flags, s.flags);
      PUT(Shdr, at, sh_addr, s.addr);
      PUT(Shdr, at, sh_offset, s.offset);
      PUT(Shdr, at, sh_size, s.size);
      PUT(Shdr, at, sh_link, s.link);
      PUT(Shdr, at, sh_info, s.info);
      PUT(Shdr, at, sh_addralign, 1);
    };
    for (size_t i = 0; i < sections_.size(); ++i) header(i + 1, name_at[i], sections_[i]);
    header(shnum - 1, names_name, {".shstrtab", SHT_STRTAB, 0, 0, names_offset, names.size(), {}});
    return out;
  };
  return class_ == 64 ? build_as(Class64{}) : build_as(Class32{});
}

#undef PUT

}  // namespace lucompat::testing
