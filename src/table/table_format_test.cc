// A new table format is one row and its entry decoder: a test-only format
// version with 16-byte slots, added to a copy of the registry, is decoded
// whole and found by the magic scan with its own size, and the built-in
// registry refuses it by its version. What the scanners look for comes from
// the rows.
#include "lucompat/table/table_format.h"

#include <gtest/gtest.h>

#include <vector>

#include "lucompat/table/decode.h"
#include "lucompat/table/magic_scan.h"
#include "lucompat/table/marker_scan.h"

namespace lucompat {
namespace {

constexpr uint32_t kTestVersion = 99;
constexpr uint32_t kSlot = 16;

void add_slot(const ByteReader& r, uint64_t at, VersionTable& out) {
  const std::string_view slot = as_chars(r.bytes(at, kSlot, "test slot"));
  const size_t end = slot.find('\0');
  if (end == std::string_view::npos || end == 0)
    fail(ErrorKind::malformed, r.base() + at, "test slot is not a NUL-terminated name");
  TableEntry e;
  e.slot = static_cast<uint32_t>(at / kSlot) + 1;
  e.compatible = std::string(slot.substr(0, end));
  e.offset = r.base() + at;
  out.entries.push_back(std::move(e));
}

void decode_test_slots(const ByteReader& r, VersionTable& out) {
  for (uint64_t at = 0; at < r.size(); at += kSlot) add_slot(r, at, out);
}

void scan_test_slots(const ByteReader& r, VersionTable& out) {
  for (uint64_t at = 0; r.contains(at, kSlot); at += kSlot) {
    if (r.bytes(at, 1, "test slot")[0] == std::byte{0}) return;
    add_slot(r, at, out);
  }
}

std::vector<TableFormat> with_test_format() {
  std::vector<TableFormat> formats(table_formats().begin(), table_formats().end());
  formats.push_back({".liveupdate_versions", ".liveupdate_sec_hdr", table_magic(), kTestVersion, 8,
                     kSlot, &decode_test_slots, &scan_test_slots});
  return formats;
}

std::string test_table(std::initializer_list<std::string_view> names) {
  std::string t;
  for (uint32_t word : {table_magic(), kTestVersion})
    t.append(reinterpret_cast<const char*>(&word), 4);  // this host's order: little on CI
  for (std::string_view n : names) {
    std::string slot(kSlot, '\0');
    slot.replace(0, n.size(), n);
    t += slot;
  }
  return t;
}

TEST(TableFormats, ATestFormatIsOneRow) {
  const std::vector<TableFormat> formats = with_test_format();
  const std::string t = test_table({"memfd-v1", "vfio-v2"});
  const auto r = decode_table(as_bytes(std::string_view(t)), ByteOrder::little, 0x100, formats);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->format_version, kTestVersion);
  ASSERT_EQ(r->entries.size(), 2u);
  EXPECT_EQ(r->entries[1].compatible, "vfio-v2");
  EXPECT_EQ(r->entries[1].offset, 0x100u + 8 + kSlot);

  const auto refused = decode_table(as_bytes(std::string_view(t)), ByteOrder::little);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::unsupported);
  EXPECT_NE(refused.error().message.find("version 99 (this lucompat reads versions 1, 2)"),
            std::string::npos);
}

TEST(TableFormats, TheMagicScanFindsATestFormatWithItsOwnSize) {
  const std::vector<TableFormat> formats = with_test_format();
  const std::string image = std::string(40, 'x') + test_table({"memfd-v1", "kvm-v3"}) +
                            std::string(kSlot, '\0') + std::string(64, 'y');
  const std::vector<ScanRegion> regions{{as_bytes(std::string_view(image)), 0x1000, 0x1000}};
  const auto found = scan_for_table(regions, ByteOrder::little, true, formats);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->location.offset, 0x1000u + 40);
  EXPECT_EQ(found->location.size, 8u + 2 * kSlot);
  ASSERT_EQ(found->table.entries.size(), 2u);
  EXPECT_EQ(found->table.entries[1].compatible, "kvm-v3");
  EXPECT_THROW(scan_for_table(regions, ByteOrder::little, true), ParseError);
}

TEST(TableFormats, ScannersDeriveWhatTheyLookForFromTheRows) {
  EXPECT_EQ(table_magic(), 0x4c565550u);
  EXPECT_EQ(marker_bytes(Marker::table_le), "PUVL");
  EXPECT_EQ(marker_bytes(Marker::table_be), "LVUP");
  EXPECT_EQ(max_table_size(), 8 + 48 * kMaxTableEntries);
  EXPECT_EQ(max_table_size(with_test_format()), 8 + 48 * kMaxTableEntries);
}

}  // namespace
}  // namespace lucompat
