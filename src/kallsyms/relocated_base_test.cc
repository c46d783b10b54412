#include "kallsyms/relocated_base.h"

#include <gtest/gtest.h>

#include <vector>

namespace lucompat {
namespace {

constexpr uint64_t kLink = 0xffff800008000000;

void put64(std::vector<std::byte>& b, uint64_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<std::byte>(v >> (8 * i));
}

// An Image of zeros with a .rela.dyn of `n` R_AARCH64_RELATIVE entries at
// 0x20000, relocating places 0x1000 apart; the one for 0x3008 adds 0x100.
std::vector<std::byte> image(uint64_t n) {
  std::vector<std::byte> b(256 << 10);
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t at = 0x20000 + 24 * i;
    const uint64_t place = i == 3 ? 0x3008 : 0x1000 * i;
    put64(b, at, kLink + place);
    put64(b, at + 8, 1027);
    put64(b, at + 16, kLink + (i == 3 ? 0x100 : 0x2000));
  }
  return b;
}

TEST(RelocatedBase, TheAddendOfTheRelocationForThePlace) {
  const auto b = image(32);
  EXPECT_EQ(relocated_pointer(ByteReader(b, ByteOrder::little), 0x3008), kLink + 0x100);
}

TEST(RelocatedBase, NotProvenWithoutARelocationTable) {
  const auto few = image(4);  // too short a run to be .rela.dyn
  EXPECT_FALSE(relocated_pointer(ByteReader(few, ByteOrder::little), 0x3008));
  const auto b = image(32);
  EXPECT_FALSE(relocated_pointer(ByteReader(b, ByteOrder::little), 0x3010));  // no entry
}

TEST(RelocatedBase, NotProvenWhenThePlacesHoldData) {
  // Values already in place: not an image linked with --no-apply-dynamic-relocs.
  auto b = image(32);
  for (uint64_t i = 0; i < 32; ++i) put64(b, (i == 3 ? 0x3008 : 0x1000 * i), 1);
  EXPECT_FALSE(relocated_pointer(ByteReader(b, ByteOrder::little), 0x3008));
}

}  // namespace
}  // namespace lucompat
