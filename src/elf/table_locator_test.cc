#include "elf/table_locator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "elf/test_elf.h"
#include "table/test_table.h"

namespace lucompat {
namespace {

using testing::ElfBuilder;
using testing::TableBytes;

constexpr std::string_view kVersions = ".liveupdate_versions", kHeader = ".liveupdate_sec_hdr";

std::vector<std::string> names(const VersionTable& t) {
  std::vector<std::string> out;
  for (const auto& e : t.entries) out.push_back(e.compatible);
  return out;
}

Result<std::optional<LocatedTable>> locate_result(const std::string& file,
                                                  const std::vector<ByteRange>& present = {}) {
  const LibelfFile elf(as_bytes(file));
  return locate_table(elf, as_bytes(file), present);
}

std::optional<LocatedTable> locate(const std::string& file,
                                   const std::vector<ByteRange>& present = {}) {
  auto found = locate_result(file, present);
  if (!found) throw std::logic_error("locating failed: " + found.error().to_string());
  return std::move(found).value();
}

Error error_locating(const std::string& file) {
  auto found = locate_result(file);
  if (found) throw std::logic_error("a table was located");
  return std::move(found).error();
}

void expect_malformed_at(const std::string& file, uint64_t offset, std::string_view words) {
  const Error e = error_locating(file);
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_EQ(e.offset, offset);
  EXPECT_NE(e.message.find(words), std::string::npos) << e.message;
}

TEST(TableLocator, ALinkedKernelHasOneMergedSection) {
  for (const auto& [elf_class, order] :
       {std::pair{64, ByteOrder::little}, std::pair{32, ByteOrder::big}}) {
    SCOPED_TRACE(elf_class);
    ElfBuilder b(ET_EXEC, elf_class, order);
    b.section(".text", std::string(100, '\x90'), SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR);
    const size_t t = b.section(std::string(kVersions),
                               TableBytes().header(order).entry("luo-v1").entry("memfd-v1").bytes);
    const auto found = locate(b.build());
    ASSERT_TRUE(found.has_value());
    const TableLocation& l = found->location;
    EXPECT_EQ(l.method, TableMethod::section);
    EXPECT_EQ(l.shape, TableShape::merged);
    EXPECT_EQ(l.section, kVersions);
    EXPECT_EQ(l.offset, b.offset_of(t));
    EXPECT_EQ(l.size, 8u + 2 * 48);
    EXPECT_EQ(found->table.format_version, 1u);
    EXPECT_EQ(names(found->table), (std::vector<std::string>{"luo-v1", "memfd-v1"}));
    EXPECT_EQ(found->table.entries[1].offset, b.offset_of(t) + 8 + 48);
  }
}

TEST(TableLocator, ARelocatablesSectionsAreJoinedAsTheFinalLinkJoinsThem) {
  ElfBuilder b(ET_REL);
  const size_t h = b.section(std::string(kHeader), TableBytes().header(ByteOrder::little).bytes);
  const size_t first = b.section(std::string(kVersions), TableBytes().entry("luo-v1").bytes);
  const size_t second =
      b.section(std::string(kVersions), TableBytes().entry("memfd-v1").entry("kho-v1").bytes);
  const auto found = locate(b.build());
  ASSERT_TRUE(found.has_value());
  const TableLocation& l = found->location;
  EXPECT_EQ(l.shape, TableShape::split);
  EXPECT_EQ(l.header_offset, b.offset_of(h));
  EXPECT_EQ(l.offset, b.offset_of(first));
  EXPECT_EQ(l.size, 3u * 48);
  EXPECT_EQ(found->table.format_version, 1u);
  EXPECT_EQ(names(found->table), (std::vector<std::string>{"luo-v1", "memfd-v1", "kho-v1"}));
  EXPECT_EQ(found->table.entries[2].slot, 3u);
  EXPECT_EQ(found->table.entries[2].offset, b.offset_of(second) + 48);
}

TEST(TableLocator, AModuleCarriesEntriesWithoutTheHeader) {
  ElfBuilder b(ET_REL);
  b.section(std::string(kVersions),
            TableBytes().entry("memfd-v1").integer(ByteOrder::little, "pci", 2).bytes);
  const auto found = locate(b.build());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->location.shape, TableShape::entries_only);
  // Nothing states the format: the newest reads it, integer slots too.
  EXPECT_EQ(found->table.format_version, std::nullopt);
  EXPECT_EQ(found->table.entries.size(), 2u);
}

TEST(TableLocator, ARelocatableLinkMayAlreadyHaveMergedThem) {
  ElfBuilder b(ET_REL);
  b.section(std::string(kVersions), TableBytes().header(ByteOrder::little).entry("luo-v1").bytes);
  const auto found = locate(b.build());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->location.shape, TableShape::merged);
  EXPECT_EQ(names(found->table), std::vector<std::string>{"luo-v1"});
}

TEST(TableLocator, TwoTablesInALinkedFileAreAnErrorAtTheSecond) {
  ElfBuilder b(ET_EXEC);
  b.section(std::string(kVersions), TableBytes().header(ByteOrder::little).entry("luo-v1").bytes);
  const size_t second = b.section(std::string(kVersions),
                                  TableBytes().header(ByteOrder::little).entry("luo-v2").bytes);
  expect_malformed_at(b.build(), b.offset_of(second),
                      "2 sections are named .liveupdate_versions; a linked kernel has one");
}

TEST(TableLocator, AHeaderSectionIsExactlyOneHeader) {
  ElfBuilder b(ET_REL);
  const size_t h =
      b.section(std::string(kHeader), TableBytes().header(ByteOrder::little).raw("xxxx").bytes);
  b.section(std::string(kVersions), TableBytes().entry("luo-v1").bytes);
  expect_malformed_at(b.build(), b.offset_of(h),
                      "section .liveupdate_sec_hdr is 12 bytes; the table header is 8");
}

TEST(TableLocator, AHeaderOfAnotherByteOrderIsAnErrorNotAnAbsentTable) {
  ElfBuilder b(ET_REL);
  const size_t h = b.section(std::string(kHeader), TableBytes().header(ByteOrder::big).bytes);
  b.section(std::string(kVersions), TableBytes().entry("luo-v1").bytes);
  expect_malformed_at(b.build(), b.offset_of(h), "byte-swapped");
}

TEST(TableLocator, ATableSectionWithoutFileBytesIsAnErrorInsideTheFile) {
  // A fuzzer's find: SHT_NOBITS claims any offset, here far past the end.
  for (uint16_t type : {uint16_t{ET_EXEC}, uint16_t{ET_REL}}) {
    SCOPED_TRACE(type);
    ElfBuilder b(type);
    b.nobits(std::string(kVersions), uint64_t{1} << 63, 48);
    const std::string file = b.build();
    const Error e = error_locating(file);
    EXPECT_EQ(e.kind, ErrorKind::malformed);
    ASSERT_TRUE(e.offset.has_value());
    EXPECT_LE(*e.offset, file.size());
    EXPECT_NE(e.message.find("SHT_NOBITS"), std::string::npos) << e.message;
  }
}

TEST(TableLocator, SectionHeadersAreReadByNameOnly) {
  // A magic in a section of another name is not the table: with section
  // headers, only their names count.
  ElfBuilder b(ET_EXEC);
  const std::string table = TableBytes().header(ByteOrder::little).entry("luo-v1").bytes;
  const size_t data = b.section(".rodata", table);
  b.segment(PT_LOAD, b.offset_of(data), table.size(), 0x1000);
  EXPECT_FALSE(locate(b.build()).has_value());
}

TEST(TableLocator, WithoutSectionHeadersTheLoadedSegmentsAreScanned) {
  for (ByteOrder order : {ByteOrder::little, ByteOrder::big}) {
    ElfBuilder b(ET_EXEC, 64, order);
    const std::string table =
        TableBytes().header(order).entry("luo-v1").raw(std::string(48, '\0')).bytes;
    const size_t t = b.section(".rodata", std::string(24, 'x') + table);
    b.segment(PT_LOAD, b.offset_of(t), 24 + table.size(), 0xffff0000);
    b.without_section_headers();
    const std::string file = b.build();
    const auto found = locate(file);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->location.method, TableMethod::segment_scan);
    EXPECT_EQ(found->location.offset, b.offset_of(t) + 24);
    EXPECT_EQ(names(found->table), std::vector<std::string>{"luo-v1"});
    // What the stream capture did not keep is not searched.
    EXPECT_FALSE(locate(file, {{0, b.offset_of(t)}}).has_value());
    EXPECT_TRUE(locate(file, {{0, b.offset_of(t) + 24 + 8 + 48}}).has_value());
  }
}

TEST(TableLocator, OnlyLoadedSegmentsAreScanned) {
  ElfBuilder b(ET_EXEC);
  const std::string table = TableBytes().header(ByteOrder::little).entry("luo-v1").bytes;
  const size_t t = b.section(".notes", table);
  b.segment(PT_NOTE, b.offset_of(t), table.size());
  b.without_section_headers();
  EXPECT_FALSE(locate(b.build()).has_value());
}

}  // namespace
}  // namespace lucompat
