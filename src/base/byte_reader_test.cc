#include "lucompat/base/byte_reader.h"

#include <gtest/gtest.h>

#include <array>

namespace lucompat {
namespace {

TEST(ByteReader, ReadsBothByteOrders) {
  const std::array<std::byte, 4> raw{std::byte{0x4c}, std::byte{0x56}, std::byte{0x55},
                                     std::byte{0x50}};
  EXPECT_EQ(ByteReader(raw, ByteOrder::big).u32(0, "magic"), 0x4c565550u);
  EXPECT_EQ(ByteReader(raw, ByteOrder::little).u32(0, "magic"), 0x5055564cu);
  EXPECT_EQ(ByteReader(raw, ByteOrder::big).u16(2, "half"), 0x5550u);
}

TEST(ByteReader, OutOfRangeNamesFieldAndOffsetInWholeInput) {
  const std::array<std::byte, 6> raw{};
  ByteReader r(raw, ByteOrder::little, 0x100);
  try {
    (void)r.u64(2, "e_shoff");
    FAIL() << "no error";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.error().offset, 0x102u);
    EXPECT_EQ(e.error().message, "expected e_shoff (8 bytes), but the data ends at 0x106");
  }
}

TEST(ByteReader, HugeOffsetsDoNotOverflow) {
  const std::array<std::byte, 6> raw{};
  ByteReader r(raw, ByteOrder::little);
  EXPECT_FALSE(r.contains(UINT64_MAX, 2));
  EXPECT_FALSE(r.contains(2, UINT64_MAX));
  EXPECT_TRUE(r.contains(6, 0));
  EXPECT_THROW((void)r.bytes(UINT64_MAX - 1, 4, "x"), ParseError);
}

TEST(ByteReader, SliceKeepsInputOffsets) {
  const std::array<std::byte, 16> raw{};
  ByteReader s = ByteReader(raw, ByteOrder::big, 0x10).slice(4, 8, "section");
  EXPECT_EQ(s.base(), 0x14u);
  EXPECT_EQ(s.size(), 8u);
  EXPECT_THROW((void)s.u32(6, "x"), ParseError);
}

}  // namespace
}  // namespace lucompat
