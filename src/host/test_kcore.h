// A core as /proc/kcore is, for tests: an ELF64 header, then one PT_LOAD
// per segment, each segment's bytes at a page of its own.
#pragma once

#include <elf.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace lucompat {

struct KcoreSegment {
  uint64_t address;
  std::string bytes;
};

inline std::string kcore_bytes(const std::vector<KcoreSegment>& segments) {
  Elf64_Ehdr h{};
  std::memcpy(h.e_ident, ELFMAG, SELFMAG);
  h.e_ident[EI_CLASS] = ELFCLASS64;
  h.e_ident[EI_DATA] = ELFDATA2LSB;
  h.e_ident[EI_VERSION] = EV_CURRENT;
  h.e_type = ET_CORE;
  h.e_machine = EM_X86_64;
  h.e_version = EV_CURRENT;
  h.e_phoff = sizeof(h);
  h.e_ehsize = sizeof(h);
  h.e_phentsize = sizeof(Elf64_Phdr);
  h.e_phnum = static_cast<uint16_t>(segments.size());
  std::string file(reinterpret_cast<const char*>(&h), sizeof(h));
  std::string data;
  for (const auto& s : segments) {
    Elf64_Phdr p{};
    p.p_type = PT_LOAD;
    p.p_vaddr = s.address;
    p.p_offset = 0x1000 + data.size();
    p.p_filesz = p.p_memsz = s.bytes.size();
    file.append(reinterpret_cast<const char*>(&p), sizeof(p));
    data += s.bytes;
    data.resize((data.size() + 0xfff) & ~size_t{0xfff}, '\0');
  }
  file.resize(0x1000, '\0');
  return file + data;
}

}  // namespace lucompat
