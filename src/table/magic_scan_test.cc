#include "lucompat/table/magic_scan.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lucompat/table/marker_scan.h"
#include "table/test_table.h"

namespace lucompat {
namespace {

using testing::TableBytes;

const std::string kZeroSlot(48, '\0');

std::string table(ByteOrder order, std::string_view entry, uint32_t version = 1) {
  return TableBytes().header(order, 0x4c565550, version).entry(entry).raw(kZeroSlot).bytes;
}

// `bytes` as one region at input offset 0x1000, loaded at an 8-aligned
// address (unless moved by `skew`).
std::vector<ScanRegion> region(const std::string& bytes, uint64_t skew = 0) {
  return {{as_bytes(bytes), 0x1000, 0xffff0000 + skew}};
}

std::vector<std::string> names(const VersionTable& t) {
  std::vector<std::string> out;
  for (const auto& e : t.entries) out.push_back(e.compatible);
  return out;
}

Error error_scanning(const std::vector<ScanRegion>& regions, ByteOrder order, bool known = true) {
  try {
    (void)scan_for_table(regions, order, known);
  } catch (const ParseError& e) {
    return e.error();
  }
  throw std::logic_error("the scan found no error");
}

TEST(MagicScan, FindsATableInTheFilesByteOrder) {
  for (ByteOrder order : {ByteOrder::little, ByteOrder::big}) {
    const std::string bytes = std::string(16, 'x') + table(order, "luo-v1") + "tail";
    const auto found = scan_for_table(region(bytes), order);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->location.method, TableMethod::segment_scan);
    EXPECT_EQ(found->location.shape, TableShape::merged);
    EXPECT_EQ(found->location.offset, 0x1000u + 16);
    EXPECT_EQ(found->location.size, 8u + 48);
    EXPECT_EQ(names(found->table), std::vector<std::string>{"luo-v1"});
    EXPECT_EQ(found->table.entries[0].offset, 0x1000u + 16 + 8);
    EXPECT_TRUE(found->table.warnings.empty());
  }
}

TEST(MagicScan, NoMagicIsNoTable) {
  const std::string bytes(4096, 'P');
  EXPECT_FALSE(scan_for_table(region(bytes), ByteOrder::little).has_value());
  EXPECT_FALSE(scan_for_table({}, ByteOrder::little).has_value());
}

TEST(MagicScan, AMagicTooNearTheEndForAHeaderIsNone) {
  const std::string bytes = std::string(16, 'x') + "PUVL\x01\x00";
  EXPECT_FALSE(scan_for_table(region(bytes), ByteOrder::little).has_value());
}

TEST(MagicScan, AMagicOfAnUnknownVersionIsUnsupportedNotAbsent) {
  const std::string bytes = std::string(8, 'x') + table(ByteOrder::little, "luo-v1", 9);
  const Error e = error_scanning(region(bytes), ByteOrder::little);
  EXPECT_EQ(e.kind, ErrorKind::unsupported);
  EXPECT_EQ(e.offset, 0x1000u + 8 + 4);
}

TEST(MagicScan, ADamagedEntryIsAnErrorNotTheEnd) {
  std::string bytes = table(ByteOrder::little, "luo-v1");
  bytes[8 + 2] = '\x01';
  const Error e = error_scanning(region(bytes), ByteOrder::little);
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  ASSERT_TRUE(e.offset.has_value());
  EXPECT_GE(*e.offset, 0x1000u + 8);
  EXPECT_LT(*e.offset, 0x1000u + 8 + 48);
}

// Issue 23, class 8: a riscv raw Image without kallsyms. The table's last
// entry is followed by the linker's zero padding up to the next output
// section, then that section's bytes: the padding ends the table. Fewer
// zeros than reach an 8-byte boundary are no padding: the slot is damaged.
TEST(MagicScan, ZeroPaddingUpToTheNextSectionEndsATable) {
  const std::string head =
      TableBytes().header(ByteOrder::little, 0x4c565550, 1).entry("luo-v1").entry("memfd-v1").bytes;
  const std::string next(64, '\xcd');
  const auto found = scan_for_table(region(head + std::string(16, '\0') + next), ByteOrder::little);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(names(found->table), (std::vector<std::string>{"luo-v1", "memfd-v1"}));
  for (size_t zeros : {size_t{3}, size_t{0}}) {
    const Error e =
        error_scanning(region(head + std::string(zeros, '\0') + next), ByteOrder::little);
    EXPECT_EQ(e.kind, ErrorKind::malformed) << zeros;
    EXPECT_EQ(e.offset, 0x1000u + head.size() + (zeros == 0 ? 0 : zeros)) << e.message;
  }
}

TEST(MagicScan, TwoDifferentTablesAreAnErrorNotAGuess) {
  const std::string first = table(ByteOrder::little, "luo-v1");
  const std::string bytes = first + table(ByteOrder::little, "luo-v2");
  const Error e = error_scanning(region(bytes), ByteOrder::little);
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_EQ(e.offset, 0x1000u + first.size());
  EXPECT_NE(e.message.find("two different tables"), std::string::npos) << e.message;
}

TEST(MagicScan, TheSameTableTwiceIsOneWithAWarning) {
  const std::string one = table(ByteOrder::little, "luo-v1");
  const auto found = scan_for_table(region(one + one), ByteOrder::little);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->location.offset, 0x1000u);
  ASSERT_EQ(found->table.warnings.size(), 1u);
  EXPECT_EQ(found->table.warnings[0].offset, 0x1000u + one.size());
  EXPECT_NE(found->table.warnings[0].message.find("appears 2 times"), std::string::npos);
}

TEST(MagicScan, ATableAtAnAlignedAddressIsPreferredOverAChanceHit) {
  // The linker script aligns the table to 8; a hit elsewhere is chance.
  const std::string chance = "abc" + table(ByteOrder::little, "chance-v1");
  const std::string pad(8 - chance.size() % 8, 'x');
  const std::string bytes = chance + pad + table(ByteOrder::little, "luo-v1");
  const auto found = scan_for_table(region(bytes), ByteOrder::little);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(names(found->table), std::vector<std::string>{"luo-v1"});
  EXPECT_EQ(found->location.offset, 0x1000u + chance.size() + pad.size());
}

TEST(MagicScan, TablesInBothByteOrdersAreAnError) {
  const std::string le = table(ByteOrder::little, "luo-v1");
  const std::string bytes = le + table(ByteOrder::big, "luo-v1");
  for (bool known : {true, false}) {
    const Error e = error_scanning(region(bytes), ByteOrder::little, known);
    EXPECT_EQ(e.kind, ErrorKind::malformed);
    EXPECT_EQ(e.offset, 0x1000u + le.size());
    EXPECT_NE(e.message.find("both byte orders"), std::string::npos) << e.message;
  }
}

TEST(MagicScan, ATableOfTheOtherOrderIsAnErrorOnlyWhenTheOrderIsKnown) {
  const std::string bytes = std::string(8, 'x') + table(ByteOrder::big, "luo-v1");
  const Error e = error_scanning(region(bytes), ByteOrder::little);
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_EQ(e.offset, 0x1000u + 8);
  EXPECT_NE(e.message.find("byte-swapped"), std::string::npos) << e.message;
  // A raw image of unknown order: the table says which it is.
  const auto found = scan_for_table(region(bytes), ByteOrder::little, false);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(names(found->table), std::vector<std::string>{"luo-v1"});
}

TEST(MagicScan, OffsetsAreTheInputsInEachRegion) {
  const std::string empty(64, 'x');
  const std::string bytes = table(ByteOrder::little, "luo-v1");
  const std::vector<ScanRegion> regions{{as_bytes(empty), 0x100, 0x1000},
                                        {as_bytes(bytes), 0x9000, 0x2000}};
  const auto found = scan_for_table(regions, ByteOrder::little);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->location.offset, 0x9000u);
  EXPECT_EQ(found->table.entries[0].offset, 0x9000u + 8);
}

TEST(MagicScan, MoreMagicsThanAKernelCouldHoldIsALimitNotACandidateEach) {
  // Every candidate used to be decoded and kept: 64 MiB of magics took
  // 4.4 GB and 39 s. Past the cap, one limit error at the first magic too many.
  const std::string magics = std::string(12, 'x') + [] {
    std::string s;
    for (size_t i = 0; i <= kMaxMarkerCandidates; ++i) s += "PUVL";
    return s;
  }();
  const Error e = error_scanning(region(magics), ByteOrder::little);
  EXPECT_EQ(e.kind, ErrorKind::limit);
  EXPECT_EQ(e.offset, 0x1000u + 12 + 4 * kMaxMarkerCandidates);
  // Banners are not table candidates: as many of them read as no table.
  std::string banners;
  for (size_t i = 0; i <= kMaxMarkerCandidates; ++i) banners += "Linux version ";
  EXPECT_FALSE(scan_for_table(region(banners), ByteOrder::little).has_value());
}

}  // namespace
}  // namespace lucompat
