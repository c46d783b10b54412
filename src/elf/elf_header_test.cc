#include "lucompat/elf/elf_header.h"

#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace lucompat {
namespace {

// A minimal ELF64 LSB header with no tables.
std::string elf64_header() {
  std::string b(sizeof(Elf64_Ehdr), '\0');
  Elf64_Ehdr h{};
  std::memcpy(h.e_ident, ELFMAG, SELFMAG);
  h.e_ident[EI_CLASS] = ELFCLASS64;
  h.e_ident[EI_DATA] = ELFDATA2LSB;
  h.e_ident[EI_VERSION] = EV_CURRENT;
  h.e_type = ET_REL;
  h.e_machine = EM_X86_64;
  h.e_ehsize = sizeof h;
  h.e_shentsize = sizeof(Elf64_Shdr);
  std::memcpy(b.data(), &h, sizeof h);
  return b;
}

std::string message_of(const std::string& bytes) {
  try {
    (void)parse_elf_header(as_bytes(bytes));
  } catch (const ParseError& e) {
    return e.error().to_string();
  }
  return "ok";
}

TEST(ElfHeader, ParsesMinimalHeader) {
  const std::string b = elf64_header();
  const ElfHeader h = parse_elf_header(as_bytes(b));
  EXPECT_EQ(h.elf_class, 64);
  EXPECT_EQ(h.order, ByteOrder::little);
  EXPECT_EQ(h.machine, EM_X86_64);
  EXPECT_EQ(h.shnum, 0u);
}

TEST(ElfHeader, TruncatedHeader) {
  EXPECT_EQ(message_of(elf64_header().substr(0, 40)),
            "offset 0x0: expected the ELF header (64 bytes), but the data ends at 0x28");
}

TEST(ElfHeader, BadClassAndByteOrder) {
  std::string b = elf64_header();
  b[EI_CLASS] = 7;
  EXPECT_EQ(message_of(b), "offset 0x4: invalid ELF class 7 (expected 1 for ELF32 or 2 for ELF64)");
  b = elf64_header();
  b[EI_DATA] = 0;
  EXPECT_EQ(message_of(b),
            "offset 0x5: invalid ELF byte order 0 (expected 1 for LSB or 2 for MSB)");
}

TEST(ElfHeader, SectionTableBeyondEof) {
  std::string b = elf64_header();
  const uint64_t shoff = 0x1000;
  const uint16_t shnum = 5;
  std::memcpy(&b[40], &shoff, 8);
  std::memcpy(&b[60], &shnum, 2);
  // 0x1000 names no byte of a 64-byte file: the error points at e_shoff,
  // which claimed it (the inspect fuzzer's oracle found the old offset).
  EXPECT_EQ(message_of(b),
            "offset 0x28: the section header table (5 entries of 64 bytes) extends beyond the "
            "end of the file at 0x40, from 0x1000");
}

TEST(ElfHeader, ExtendedSectionCountIsResolvedAndChecked) {
  std::string b = elf64_header();
  b.resize(64 + 64, '\0');
  const uint64_t shoff = 64, count = 1000000;
  std::memcpy(&b[40], &shoff, 8);
  std::memcpy(&b[64 + 32], &count, 8);  // sh_size of section 0
  EXPECT_EQ(message_of(b),
            "offset 0x40: the section header table (1000000 entries of 64 bytes) extends beyond "
            "the end of the file at 0x80");
}

TEST(ElfHeader, ShstrndxOutOfRange) {
  std::string b = elf64_header();
  b.resize(64 + 2 * 64, '\0');
  const uint64_t shoff = 64;
  const uint16_t shnum = 2, shstrndx = 9;
  std::memcpy(&b[40], &shoff, 8);
  std::memcpy(&b[60], &shnum, 2);
  std::memcpy(&b[62], &shstrndx, 2);
  EXPECT_EQ(message_of(b), "offset 0x3e: e_shstrndx 9 names no section (there are 2)");
}

}  // namespace
}  // namespace lucompat
