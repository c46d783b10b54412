#include "lucompat/elf/elf_symbols.h"

#include "lucompat/base/result.h"

#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace lucompat {
namespace {

std::string sym64(uint32_t name, uint8_t info, uint16_t shndx, uint64_t value, uint64_t size) {
  std::string s(24, '\0');
  std::memcpy(&s[0], &name, 4);
  s[4] = static_cast<char>(info);
  std::memcpy(&s[6], &shndx, 2);
  std::memcpy(&s[8], &value, 8);
  std::memcpy(&s[16], &size, 8);
  return s;
}

TEST(ElfSymbols, ReadsNamesSizesAndTypes) {
  using namespace std::string_literals;
  const std::string strtab = "\0handler\0"s;
  const std::string symtab = sym64(0, 0, 0, 0, 0) + sym64(1, STT_OBJECT, 3, 0x1000, 88);
  const auto syms = read_symbols(ByteReader(as_bytes(symtab), ByteOrder::little),
                                 ByteReader(as_bytes(strtab), ByteOrder::little), 64);
  ASSERT_EQ(syms.size(), 2u);
  EXPECT_EQ(syms[1].name, "handler");
  EXPECT_EQ(syms[1].size, 88u);
  EXPECT_EQ(syms[1].type, STT_OBJECT);
  EXPECT_EQ(syms[1].shndx, 3);
}

TEST(ElfSymbols, NameOutsideTheStringTableIsAnError) {
  using namespace std::string_literals;
  const std::string strtab = "\0x\0"s;
  const std::string symtab = sym64(0x400, STT_OBJECT, 1, 0, 8);
  auto r = catch_parse_errors([&] {
    return read_symbols(ByteReader(as_bytes(symtab), ByteOrder::little),
                        ByteReader(as_bytes(strtab), ByteOrder::little), 64);
  });
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("outside its string table"), std::string::npos);
}

TEST(ElfSymbols, UnterminatedNameAndTruncatedTableAreErrors) {
  const std::string strtab = std::string(1, '\0') + "abc";
  const std::string symtab = sym64(1, STT_OBJECT, 1, 0, 8);
  EXPECT_FALSE(catch_parse_errors([&] {
    return read_symbols(ByteReader(as_bytes(symtab), ByteOrder::little),
                        ByteReader(as_bytes(strtab), ByteOrder::little), 64);
  }));
  EXPECT_FALSE(catch_parse_errors([&] {
    return read_symbols(ByteReader(as_bytes(symtab.substr(0, 20)), ByteOrder::little),
                        ByteReader(as_bytes(strtab), ByteOrder::little), 64);
  }));
}

TEST(ElfSymbols, RelocationsOfBothClasses) {
  std::string rela(24, '\0');
  const uint64_t off = 0x10, info = (uint64_t{5} << 32) | R_X86_64_64;
  const int64_t addend = -8;
  std::memcpy(&rela[0], &off, 8);
  std::memcpy(&rela[8], &info, 8);
  std::memcpy(&rela[16], &addend, 8);
  const auto r = read_relocations(ByteReader(as_bytes(rela), ByteOrder::little), 64, true);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].symbol, 5u);
  EXPECT_EQ(r[0].type, R_X86_64_64);
  EXPECT_EQ(r[0].addend, -8);
  EXPECT_FALSE(catch_parse_errors([&] {
    return read_relocations(ByteReader(as_bytes(rela.substr(0, 23)), ByteOrder::little), 64, true);
  }));
}

}  // namespace
}  // namespace lucompat
