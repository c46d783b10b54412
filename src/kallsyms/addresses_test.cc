#include "kallsyms/addresses.h"

#include <gtest/gtest.h>

namespace lucompat {
namespace {

constexpr uint64_t kBase = 0xffffffff81000000;

TEST(Addresses, Relative) {
  const auto a =
      relative_addresses({0, 16, 16, 0x70000000}, kBase, KallsymsAddressing::relative, 8);
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)[3], kBase + 0x70000000);
}

TEST(Addresses, AbsolutePercpu) {
  // Two per-CPU symbols at small absolute values, then the kernel's text.
  const std::vector<int32_t> o{0, 0x1000, -1, -1 - 0x40};
  const auto a = relative_addresses(o, kBase, KallsymsAddressing::absolute_percpu, 8);
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, (std::vector<uint64_t>{0, 0x1000, kBase, kBase + 0x40}));
  // Plain offsets never make a per-CPU table: no negative offset.
  EXPECT_FALSE(relative_addresses({0, 16}, kBase, KallsymsAddressing::absolute_percpu, 8));
}

TEST(Addresses, ThirtyTwoBitWraps) {
  const auto a = relative_addresses({0, 0x10}, 0xc0000000, KallsymsAddressing::relative, 4);
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)[1], 0xc0000010u);
}

TEST(Addresses, UnsortedIsNoReading) {
  EXPECT_FALSE(relative_addresses({0, 32, 16}, kBase, KallsymsAddressing::relative, 8));
  EXPECT_FALSE(place_relative_addresses({0, -8, -16}, kBase, 8));
}

// 7.0: entry i at table + 4i holds the distance to its symbol. Symbols
// before the table (text) are negative, after it (data) positive, and two
// symbols at one address are 4 apart in offset.
TEST(Addresses, PlaceRelative) {
  const uint64_t table = 0xffffffff826b19e8;
  const auto a = place_relative_addresses({-0x16b19e8, -0x16b19ec, 0x100, 0x1000000}, table, 8);
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, (std::vector<uint64_t>{0xffffffff81000000, 0xffffffff81000000, table + 8 + 0x100,
                                       table + 12 + 0x1000000}));
  // 32-bit: truncated to the pointer size.
  const auto b = place_relative_addresses({-0x1000000, -0x1000000}, 0xc2000000, 4);
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, (std::vector<uint64_t>{0xc1000000, 0xc1000004}));
}

std::vector<std::byte> seqs(std::initializer_list<uint32_t> v, size_t padding) {
  std::vector<std::byte> out(padding);
  for (uint32_t x : v)
    for (int shift : {16, 8, 0}) out.push_back(static_cast<std::byte>((x >> shift) & 0xff));
  return out;
}

TEST(Addresses, SeqsOfNamesIsAPermutationAfterAlignment) {
  const auto ok = seqs({2, 0, 3, 1}, 0);
  EXPECT_EQ(seqs_at(ByteReader(ok, ByteOrder::little), 0, 4), 0u);
  // Three bytes a symbol, big-endian in every byte order.
  EXPECT_EQ(seqs_at(ByteReader(ok, ByteOrder::big), 0, 4), 0u);
  // After a table ending 4 bytes off an 8-byte boundary, with 8-byte labels.
  const auto padded = seqs({2, 0, 3, 1}, 8);
  EXPECT_EQ(seqs_at(ByteReader(padded, ByteOrder::little), 4, 4), 8u);
  EXPECT_FALSE(seqs_at(ByteReader(seqs({2, 0, 2, 1}, 0), ByteOrder::little), 0, 4));  // twice
  EXPECT_FALSE(seqs_at(ByteReader(seqs({2, 0, 4, 1}, 0), ByteOrder::little), 0, 4));  // >= N
  EXPECT_FALSE(seqs_at(ByteReader(seqs({2, 0, 3}, 0), ByteOrder::little), 0, 4));     // short
  auto dirty = padded;
  dirty[5] = std::byte{1};  // padding that is not zero
  EXPECT_FALSE(seqs_at(ByteReader(dirty, ByteOrder::little), 4, 4));
}

TEST(Addresses, ThePreferredReadings) {
  const auto at = [](uint64_t addresses, bool anchored, bool checked) {
    PlacedReading r;
    r.first.addresses = addresses;
    r.second.anchored = anchored;
    r.second.self_checked = checked;
    return r;
  };
  const auto kept = [](const std::vector<PlacedReading>& v) {
    std::vector<uint64_t> out;
    for (const auto& r : v) out.push_back(r.first.addresses);
    return out;
  };
  EXPECT_EQ(kept(preferred({at(1, false, false), at(2, true, false)})), (std::vector<uint64_t>{2}));
  // The labels outrank an anchor.
  EXPECT_EQ(kept(preferred({at(1, false, false), at(2, true, false), at(3, false, true)})),
            (std::vector<uint64_t>{3}));
  EXPECT_EQ(kept(preferred({at(1, false, false), at(2, false, false)})),
            (std::vector<uint64_t>{1, 2}));
}

}  // namespace
}  // namespace lucompat
