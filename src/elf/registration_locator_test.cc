#include "elf/registration_locator.h"

#include <gtest/gtest.h>

#include "elf/test_elf.h"
#include "lucompat/elf/elf_reader.h"

namespace lucompat {
namespace {

TEST(RegistrationLocator, ASectionWithoutFileBytesIsAnErrorInsideTheFile) {
  // A relocation section that applies to a SHT_NOBITS section whose offset
  // lies far past the end: the error names that section's header.
  testing::ElfBuilder b(ET_REL);
  const size_t bss = b.nobits(".bss", uint64_t{1} << 63, 64);
  const size_t strtab = b.section(".strtab", std::string(1, '\0'), SHT_STRTAB, 0);
  const size_t symtab = b.section(".symtab", std::string(sizeof(Elf64_Sym), '\0'), SHT_SYMTAB, 0);
  b.link(symtab, static_cast<uint32_t>(strtab));
  const size_t rela =
      b.section(".rela.bss", std::string(sizeof(Elf64_Rela), '\0'), SHT_RELA, SHF_INFO_LINK);
  b.link(rela, static_cast<uint32_t>(symtab), static_cast<uint32_t>(bss));
  const std::string file = b.build();
  const auto r = read_elf(as_bytes(file));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::malformed);
  EXPECT_EQ(r.error().message, "section .bss has no bytes in the file");
  ASSERT_TRUE(r.error().offset.has_value());
  EXPECT_LE(*r.error().offset, file.size());
}

}  // namespace
}  // namespace lucompat
