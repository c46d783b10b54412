#include "kallsyms/relocated_base.h"

#include <gtest/gtest.h>

#include <utility>
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

// s390x's way (issue 23, class 8): a big-endian image linked at kS390Link
// with its RELATIVE relocations applied in place, a .dynamic naming the
// table and the symbols, and kallsyms_relative_base (at 0x3008) holding
// zero, relocated by R_390_64 against _text (symbol 2, at the link address).
constexpr uint64_t kS390Link = 0x100000;

void put64be(std::vector<std::byte>& b, uint64_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<std::byte>(v >> (56 - 8 * i));
}

std::vector<std::byte> s390_image(bool applied = true) {
  std::vector<std::byte> b(256 << 10);
  constexpr uint64_t kRela = 0x20000, kDynsym = 0x18000, kDynamic = 0x10000, kRuns = 32;
  for (uint64_t i = 0; i < kRuns; ++i) {  // RELATIVE entries for places 0x4000 + 8i
    const uint64_t at = kRela + 24 * i, place = 0x4000 + 8 * i, value = kS390Link + 0x800 + i;
    put64be(b, at, kS390Link + place);
    put64be(b, at + 8, 12);
    put64be(b, at + 16, value);
    if (applied) put64be(b, place, value);
  }
  const uint64_t sym = kRela + 24 * kRuns;  // then the symbolic one
  put64be(b, sym, kS390Link + 0x3008);
  put64be(b, sym + 8, uint64_t{2} << 32 | 22);
  put64be(b, sym + 16, 0);
  b[kDynsym + uint64_t{2} * 24 + 7] = std::byte{1};  // st_shndx 1: defined
  put64be(b, kDynsym + uint64_t{2} * 24 + 8, kS390Link);
  const std::vector<std::pair<uint64_t, uint64_t>> dynamic{
      {6, kS390Link + kDynsym}, {7, kS390Link + kRela}, {8, 24 * (kRuns + 1)}, {9, 24}};
  for (size_t i = 0; i < dynamic.size(); ++i) {
    put64be(b, kDynamic + 16 * i, dynamic[i].first);
    put64be(b, kDynamic + 16 * i + 8, dynamic[i].second);
  }
  return b;
}

TEST(RelocatedBase, AppliedRelocationsGiveTheLinkAndTheSymbolsValue) {
  const auto b = s390_image();
  EXPECT_EQ(applied_relocated_pointer(ByteReader(b, ByteOrder::big), 0x3008), kS390Link);
  // A RELATIVE entry's place gives its addend.
  EXPECT_EQ(applied_relocated_pointer(ByteReader(b, ByteOrder::big), 0x4010), kS390Link + 0x802);
  EXPECT_FALSE(applied_relocated_pointer(ByteReader(b, ByteOrder::big), 0x3010));  // no entry
}

TEST(RelocatedBase, AppliedRelocationsNotProvenWhenThePlacesDoNotHoldThem) {
  const auto b = s390_image(false);
  EXPECT_FALSE(applied_relocated_pointer(ByteReader(b, ByteOrder::big), 0x3008));
  // Nor read in the wrong byte order.
  EXPECT_FALSE(applied_relocated_pointer(ByteReader(s390_image(), ByteOrder::little), 0x3008));
}

}  // namespace
}  // namespace lucompat
