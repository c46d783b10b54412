#include "lucompat/table/decode.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "table/test_table.h"

namespace lucompat {
namespace {

using testing::TableBytes;

std::vector<std::string> names(const VersionTable& t) {
  std::vector<std::string> out;
  for (const auto& e : t.entries) out.push_back(e.compatible);
  return out;
}

TEST(DecodeTable, LittleAndBigEndian) {
  for (ByteOrder order : {ByteOrder::little, ByteOrder::big}) {
    TableBytes t;
    t.header(order).entry("luo-v1").entry("memfd-v1");
    auto r = decode_table(t.view(), order, 0x1000);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->format_version, 1u);
    EXPECT_EQ(names(*r), (std::vector<std::string>{"luo-v1", "memfd-v1"}));
    EXPECT_EQ(r->entries[1].offset, 0x1000u + 8 + 48);
    EXPECT_EQ(r->entries[1].slot, 2u);
    EXPECT_TRUE(r->warnings.empty());
  }
}

TEST(DecodeTable, HeaderOnlyIsAnEmptyTable) {
  TableBytes t;
  t.header(ByteOrder::big);
  auto r = decode_table(t.view(), ByteOrder::big);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->entries.empty());
}

TEST(DecodeTable, WrongMagic) {
  TableBytes t;
  t.header(ByteOrder::little, 0x12345678);
  auto r = decode_table(t.view(), ByteOrder::little, 0x20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 0x20u);
  EXPECT_EQ(r.error().message, "expected table magic 0x4c565550 (\"LVUP\"), found 0x12345678");
}

TEST(DecodeTable, ByteSwappedMagicNamesBothOrders) {
  TableBytes t;
  t.header(ByteOrder::big).entry("luo-v1");
  auto r = decode_table(t.view(), ByteOrder::little);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "table magic is byte-swapped (0x5055564c): the table is stored big-endian but the "
            "file is little-endian");
}

TEST(DecodeTable, UnsupportedVersionSaysWhich) {
  TableBytes t;
  t.header(ByteOrder::little, 0x4c565550, 3);
  auto r = decode_table(t.view(), ByteOrder::little);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unsupported);
  EXPECT_EQ(r.error().offset, 4u);
  EXPECT_EQ(r.error().message,
            "unsupported table format version 3 (this lucompat reads versions 1, 2)");
}

TEST(DecodeTable, FormatTwoIntegerEntriesInBothByteOrders) {
  for (ByteOrder order : {ByteOrder::little, ByteOrder::big}) {
    TableBytes t;
    t.header(order, 0x4c565550, 2)
        .entry("luo-v1")
        .integer(order, "pci", 2)
        .integer(order, "pci", 70000);
    auto r = decode_table(t.view(), order, 0x100);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->format_version, 2u);
    EXPECT_EQ(names(*r), (std::vector<std::string>{"luo-v1", "pci@2", "pci@70000"}));
    EXPECT_EQ(r->entries[1].offset, 0x100u + 8 + 48);
    EXPECT_TRUE(r->warnings.empty());
  }
}

TEST(DecodeTable, CompositeStringsInEitherFormat) {
  for (uint32_t version : {1u, 2u}) {
    TableBytes t;
    t.header(ByteOrder::little, 0x4c565550, version).entry("memfd-v2;vmalloc-v1");
    auto r = decode_table(t.view(), ByteOrder::little);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(names(*r), (std::vector<std::string>{"memfd-v2;vmalloc-v1"}));
  }
}

TEST(DecodeTable, MalformedCompositesAreErrorsAtTheirByte) {
  const std::vector<std::pair<std::string, uint64_t>> cases{
      {"memfd-v2;;vmalloc-v1", 9}, {";memfd-v2", 0}, {"memfd-v2;", 9}, {"memfd@2", 5}};
  for (const auto& [text, at] : cases) {
    TableBytes t;
    t.header(ByteOrder::little).entry("luo-v1").entry(text);
    auto r = decode_table(t.view(), ByteOrder::little);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().kind, ErrorKind::malformed);
    EXPECT_EQ(r.error().offset, 8u + 48 + at) << text;
    EXPECT_EQ(r.error().message.rfind("entry 2: ", 0), 0u) << r.error().message;
  }
}

TEST(DecodeTable, IntegerEntryInFormatOneIsAnError) {
  TableBytes t;
  t.header(ByteOrder::little).integer(ByteOrder::little, "pci", 2);
  auto r = decode_table(t.view(), ByteOrder::little);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 8u);
  EXPECT_EQ(r.error().message,
            "entry 1: an integer-version entry (first byte 0x01), which only format version 2 has");
}

TEST(DecodeTable, MalformedIntegerEntries) {
  struct Case {
    std::string slot;
    uint64_t at;
    std::string message;
  };
  const auto slot = [](std::string_view head, std::string_view name) {
    std::string s(head);
    s += name;
    s.resize(48, '\0');
    return s;
  };
  const std::vector<Case> cases{
      {slot(std::string("\x01\0\0\0\0\0\0\0", 8), "pci"), 4,
       "entry 1: integer version 0 of \"pci\" (versions start at 1)"},
      {slot(std::string("\x01\0\0\0\x02\0\0\0", 8), ""), 8,
       "entry 1: integer version 2 without a name"},
      {slot(std::string("\x01\x07\0\0\x02\0\0\0", 8), "pci"), 1,
       "entry 1: integer-version entry with non-zero reserved byte 0x07 at position 1"},
      {slot(std::string("\x01\0\0\0\x02\0\0\0", 8), "pci;x"), 11,
       "entry 1: integer-version name \"pci;x\" holds ';'"},
      {std::string("\x01\0\0\0\x02\0\0\0", 8) + std::string(40, 'p'), 8,
       "entry 1: no NUL terminator within its 40 name bytes"},
      {slot(std::string("\x01\0\0\0\x02\0\0\0", 8), "pc\ti"), 10,
       "entry 1: non-printable byte 0x09 at position 10"},
  };
  for (const auto& c : cases) {
    TableBytes t;
    t.header(ByteOrder::little, 0x4c565550, 2).raw(c.slot);
    auto r = decode_table(t.view(), ByteOrder::little);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.error().offset, 8u + c.at) << c.message;
    EXPECT_EQ(r.error().message, c.message);
  }
}

TEST(DecodeTable, IntegerEntryStrayByteAfterNameIsAWarning) {
  TableBytes t;
  std::string s = std::string("\x01\0\0\0\x02\0\0\0", 8) + "pci";
  s.resize(48, '\0');
  s[47] = 'x';
  t.header(ByteOrder::little, 0x4c565550, 2).raw(s);
  auto r = decode_table(t.view(), ByteOrder::little);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(names(*r), (std::vector<std::string>{"pci@2"}));
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0].offset, 8u + 47);
}

TEST(ScanTable, FormatTwoEndsAtTheZeroSlot) {
  TableBytes t;
  t.header(ByteOrder::big, 0x4c565550, 2).integer(ByteOrder::big, "pci", 3).entry("").entry("junk");
  auto r = scan_table(t.view(), ByteOrder::big);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(names(*r), (std::vector<std::string>{"pci@3"}));
}

TEST(DecodeTableEntries, ModuleEntriesReadWithTheNewestFormat) {
  const TableFormat& f = find_entries_format(*find_table_format(table_magic(), 1));
  EXPECT_EQ(f.version, 2u);
  TableBytes t;
  t.entry("vfio-pci-v2").integer(ByteOrder::big, "iommu", 2);
  auto r = decode_table_entries(f, t.view(), ByteOrder::big);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(names(*r), (std::vector<std::string>{"vfio-pci-v2", "iommu@2"}));
}

TEST(DecodeTable, SizeNotHeaderPlusWholeEntries) {
  TableBytes t;
  t.header(ByteOrder::little).raw(std::string(47, 'a'));
  auto r = decode_table(t.view(), ByteOrder::little);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "table size 55 is not 8 + 48·N: 47 bytes follow the header, 47 more than 0 whole "
            "entries");
}

TEST(DecodeTable, TooShortForHeader) {
  auto r = decode_table(as_bytes("PUV"), ByteOrder::little);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("only 3 bytes"), std::string::npos);
}

TEST(DecodeTable, EntryWithoutNul) {
  TableBytes t;
  t.header(ByteOrder::little).entry("luo-v1").raw(std::string(48, 'x'));
  auto r = decode_table(t.view(), ByteOrder::little);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 8u + 48);
  EXPECT_EQ(r.error().message, "entry 2: no NUL terminator within its 48 bytes");
}

TEST(DecodeTable, NonPrintableEntry) {
  TableBytes t;
  t.header(ByteOrder::little).entry("memfd\x01-v1");
  auto r = decode_table(t.view(), ByteOrder::little);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, 8u + 5);
  EXPECT_EQ(r.error().message, "entry 1: non-printable byte 0x01 at position 5");
}

TEST(DecodeTable, WarningsForStrayBytesEmptyAndDuplicates) {
  std::string stray = "memfd-v1";
  stray += '\0';
  stray += "junk";
  TableBytes t;
  t.header(ByteOrder::little).entry(stray).entry("").entry("memfd-v1");
  auto r = decode_table(t.view(), ByteOrder::little);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(names(*r), (std::vector<std::string>{"memfd-v1", "memfd-v1"}));
  EXPECT_EQ(r->entries[1].slot, 3u);
  ASSERT_EQ(r->warnings.size(), 3u);
  EXPECT_EQ(r->warnings[0].offset, 8u + 9);
  EXPECT_EQ(r->warnings[0].message,
            "entry 1 (\"memfd-v1\"): non-zero byte 0x6a after the terminator at position 9 (the "
            "kernel zero-pads entries)");
  EXPECT_EQ(r->warnings[1].message, "entry 2: empty string (skipped)");
  EXPECT_EQ(r->warnings[2].message, "entry 3: \"memfd-v1\" duplicates entry 1");
}

TEST(DecodeTableEntries, EntriesOnlyMustBeWholeSlots) {
  const TableFormat& f = table_formats().front();
  TableBytes t;
  t.entry("vfio-pci-v1").entry("iommufd-v1");
  auto r = decode_table_entries(f, t.view(), ByteOrder::little);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->format_version.has_value());
  EXPECT_EQ(names(*r), (std::vector<std::string>{"vfio-pci-v1", "iommufd-v1"}));

  t.raw("x");
  auto bad = decode_table_entries(f, t.view(), ByteOrder::little);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("not a multiple of the 48-byte entry size"),
            std::string::npos);
}

TEST(ScanTable, StopsAtFirstSlotThatIsNotAnEntry) {
  TableBytes t;
  t.header(ByteOrder::big).entry("luo-v1").entry("memfd-v1").raw(std::string(48, '\0'));
  t.entry("not-part-of-it");
  auto r = scan_table(t.view(), ByteOrder::big, 0x400);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(names(*r), (std::vector<std::string>{"luo-v1", "memfd-v1"}));
}

// Without a size, a damaged slot and the table's end must not look alike: a
// scan that stopped at entry 3 here once turned a corrupt image "compatible".
TEST(ScanTable, DamagedSlotIsAnErrorNotTheEnd) {
  using namespace std::string_literals;
  for (const std::string& damaged :
       {"memf\x01-v2"s, "mem\0d-v2"s, "memfd-v2\0\0\0x"s, std::string(48, 'a')}) {
    TableBytes t;
    t.header(ByteOrder::little).entry("luo-v1").entry("memfd-v1").entry(damaged);
    t.entry("vfio-pci-v1");
    auto r = scan_table(t.view(), ByteOrder::little, 0x400);
    ASSERT_FALSE(r.ok()) << damaged;
    EXPECT_EQ(r.error().kind, ErrorKind::malformed);
    EXPECT_GE(r.error().offset.value_or(0), 0x400u + 8 + 2 * 48);
    EXPECT_LT(r.error().offset.value_or(0), 0x400u + 8 + 3 * 48);
  }
}

TEST(ScanTable, TruncatedTailIsNotAnEntry) {
  TableBytes t;
  t.header(ByteOrder::little).entry("luo-v1").raw("memfd");
  auto r = scan_table(t.view(), ByteOrder::little);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(names(*r), (std::vector<std::string>{"luo-v1"}));
}

TEST(TableFormats, RegistryLookup) {
  EXPECT_NE(find_table_format(0x4c565550, 1), nullptr);
  EXPECT_EQ(find_table_format(0x4c565550, 2)->version, 2u);
  EXPECT_EQ(find_table_format(0x4c565550, 3), nullptr);
  EXPECT_NE(find_table_format_by_section(".liveupdate_versions"), nullptr);
  EXPECT_EQ(find_table_format_by_section(".liveupdate_features"), nullptr);
}

}  // namespace
}  // namespace lucompat
