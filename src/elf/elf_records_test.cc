#include "lucompat/elf/elf_records.h"

#include <gelf.h>
#include <gtest/gtest.h>
#include <libelf.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace lucompat {
namespace {

// The examples of every target (both classes, both byte orders, linked and
// relocatable), each read by our records and by elfutils' libelf, an
// independent reader: every header, section and symbol must agree.
std::vector<std::filesystem::path> example_elves() {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(LUCOMPAT_EXAMPLES_DIR)) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".elf" || ext == ".ko" || ext == ".o"))
      out.push_back(e.path());
  }
  return out;
}

std::vector<std::byte> bytes_of(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  const std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(c.size());
  std::memcpy(out.data(), c.data(), c.size());
  return out;
}

TEST(ElfRecords, AgreeWithLibelfOnEveryExample) {
  ASSERT_NE(elf_version(EV_CURRENT), EV_NONE);
  const auto files = example_elves();
  ASSERT_GE(files.size(), 14u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    auto data = bytes_of(path);
    Elf* elf = elf_memory(reinterpret_cast<char*>(data.data()), data.size());
    ASSERT_NE(elf, nullptr);
    GElf_Ehdr eh;
    ASSERT_NE(gelf_getehdr(elf, &eh), nullptr);
    const ElfFileHeader h = read_file_header(data);
    EXPECT_EQ(h.elf_class, gelf_getclass(elf) == ELFCLASS64 ? 64 : 32);
    EXPECT_EQ(h.type, eh.e_type);
    EXPECT_EQ(h.machine, eh.e_machine);
    EXPECT_EQ(h.phoff, eh.e_phoff);
    EXPECT_EQ(h.shoff, eh.e_shoff);
    EXPECT_EQ(h.phnum, eh.e_phnum);
    EXPECT_EQ(h.shnum, eh.e_shnum);
    EXPECT_EQ(h.shstrndx, eh.e_shstrndx);
    const ByteReader r(data, h.order);
    for (uint16_t i = 0; i < h.phnum; ++i) {
      GElf_Phdr ph;
      ASSERT_NE(gelf_getphdr(elf, i, &ph), nullptr);
      const ElfProgramHeader p = read_program_header(r, h.elf_class, h.phoff, h.phentsize, i);
      EXPECT_EQ(p.type, ph.p_type);
      EXPECT_EQ(p.offset, ph.p_offset);
      EXPECT_EQ(p.vaddr, ph.p_vaddr);
      EXPECT_EQ(p.filesz, ph.p_filesz);
      EXPECT_EQ(p.align, ph.p_align);
    }
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
      GElf_Shdr sh;
      ASSERT_NE(gelf_getshdr(scn, &sh), nullptr);
      const ElfSectionHeader s =
          read_section_header(r, h.elf_class, h.shoff, h.shentsize, elf_ndxscn(scn));
      EXPECT_EQ(s.name_offset, sh.sh_name);
      EXPECT_EQ(s.type, sh.sh_type);
      EXPECT_EQ(s.flags, sh.sh_flags);
      EXPECT_EQ(s.addr, sh.sh_addr);
      EXPECT_EQ(s.offset, sh.sh_offset);
      EXPECT_EQ(s.size, sh.sh_size);
      EXPECT_EQ(s.addralign, sh.sh_addralign);
      EXPECT_EQ(s.link, sh.sh_link);
      EXPECT_EQ(s.info, sh.sh_info);
      if (sh.sh_type == SHT_SYMTAB) {
        Elf_Data* d = elf_getdata(scn, nullptr);
        for (uint64_t i = 0; i < sh.sh_size / symbol_size(h.elf_class); ++i) {
          GElf_Sym sym;
          ASSERT_NE(gelf_getsym(d, static_cast<int>(i), &sym), nullptr);
          const ElfSymbolRecord rec =
              read_symbol(r, h.elf_class, sh.sh_offset + i * symbol_size(h.elf_class));
          EXPECT_EQ(rec.name, sym.st_name);
          EXPECT_EQ(rec.info, sym.st_info);
          EXPECT_EQ(rec.shndx, sym.st_shndx);
          EXPECT_EQ(rec.value, sym.st_value);
          EXPECT_EQ(rec.size, sym.st_size);
        }
      }
      if (sh.sh_type == SHT_RELA || sh.sh_type == SHT_REL) {
        const bool rela = sh.sh_type == SHT_RELA;
        Elf_Data* d = elf_getdata(scn, nullptr);
        for (uint64_t i = 0; i < sh.sh_size / relocation_size(h.elf_class, rela); ++i) {
          GElf_Rela want{};
          if (rela) {
            ASSERT_NE(gelf_getrela(d, static_cast<int>(i), &want), nullptr);
          } else {
            GElf_Rel rel;
            ASSERT_NE(gelf_getrel(d, static_cast<int>(i), &rel), nullptr);
            want = {rel.r_offset, rel.r_info, 0};
          }
          const ElfRelocation got = read_relocation(
              r, h.elf_class, rela, sh.sh_offset + i * relocation_size(h.elf_class, rela));
          EXPECT_EQ(got.offset, want.r_offset);
          // gelf widens a 32-bit r_info to the 64-bit split.
          EXPECT_EQ(got.symbol, GELF_R_SYM(want.r_info));
          EXPECT_EQ(got.type, GELF_R_TYPE(want.r_info));
          EXPECT_EQ(got.addend, want.r_addend);
        }
      }
    }
    elf_end(elf);
  }
}

TEST(ElfRecords, HeadersThatAreNotElfAreErrorsNamingTheField) {
  std::vector<std::byte> data(64);
  EXPECT_THROW(read_file_header(data), ParseError);
  const char ident[] =
      "\x7f"
      "ELF\x02\x01\x01";
  std::memcpy(data.data(), ident, 7);
  try {
    read_file_header(Bytes(data).first(40));
    FAIL() << "a cut header was read";
  } catch (const ParseError& e) {
    EXPECT_NE(e.error().message.find("the ELF header"), std::string::npos) << e.error().message;
  }
  data[4] = std::byte{3};
  EXPECT_THROW(read_file_header(data), ParseError);
}

TEST(ElfRecords, ARecordPastTheEndIsAnError) {
  std::vector<std::byte> data(100);
  const ByteReader r(data, ByteOrder::big);
  EXPECT_THROW(read_program_header(r, 64, 64, 56, 0), ParseError);
  EXPECT_NO_THROW(read_program_header(r, 32, 64, 32, 0));
  EXPECT_THROW(read_symbol(r, 64, 90), ParseError);
}

// A table offset near 2^64 plus an index wraps to a small offset, where the
// file header would be read as a program header.
TEST(ElfRecords, ARecordWhoseOffsetWrapsIsAnError) {
  std::vector<std::byte> data(256);
  const ByteReader r(data, ByteOrder::little);
  const uint64_t near_end = ~uint64_t{0} - 55;  // + 56 is 0
  try {
    read_program_header(r, 64, near_end, 56, 1);
    FAIL() << "a wrapped offset was read";
  } catch (const ParseError& e) {
    EXPECT_NE(e.error().message.find("program header 1"), std::string::npos) << e.error().message;
  }
  EXPECT_THROW(read_section_header(r, 64, near_end - 8, 64, 1), ParseError);
  EXPECT_THROW(read_program_header(r, 64, 0, uint64_t{1} << 63, 2), ParseError);
}

}  // namespace
}  // namespace lucompat
