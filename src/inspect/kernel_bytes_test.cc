#include "lucompat/inspect/kernel_bytes.h"

#include <gtest/gtest.h>

#include <vector>

namespace lucompat {
namespace {

// An ELF magic with nothing after it: is_file() takes it (the magic is
// there), so the class and byte order must not be read past its end; the
// ELF reader then names what is missing.
TEST(KernelBytes, AnElfThatEndsAfterItsMagicIsNotReadPastItsEnd) {
  const std::vector<std::byte> magic = {std::byte{0x7f}, std::byte{'E'}, std::byte{'L'},
                                        std::byte{'F'}};
  Unwrapped u;
  u.kind = Innermost::file;
  u.bytes = Bytes(magic);
  const KernelBytes k = kernel_bytes_of("short.elf", std::move(u));
  EXPECT_TRUE(k.elf);
  EXPECT_EQ(k.pointer_size, 8);
  EXPECT_EQ(k.order, ByteOrder::little);
}

TEST(KernelBytes, AnElfsClassAndOrderComeFromItsIdent) {
  std::vector<std::byte> ident(16, std::byte{0});
  const char magic[] =
      "\x7f"
      "ELF";
  for (int i = 0; i < 4; ++i) ident[i] = static_cast<std::byte>(magic[i]);
  ident[4] = std::byte{1};  // ELFCLASS32
  ident[5] = std::byte{2};  // ELFDATA2MSB
  Unwrapped u;
  u.kind = Innermost::file;
  u.bytes = Bytes(ident);
  const KernelBytes k = kernel_bytes_of("be32.elf", std::move(u));
  EXPECT_EQ(k.pointer_size, 4);
  EXPECT_EQ(k.order, ByteOrder::big);
}

}  // namespace
}  // namespace lucompat
