#include "lucompat/table/table_format.h"

#include <algorithm>
#include <array>

#include "lucompat/liveupdate_versions.h"
#include "table/fixed_slot_entries.h"

namespace lucompat {
namespace {

// Rows of one section are ordered oldest first; the newest reads the entries
// of a module, which carries no header (see find_entries_format).
// The magic, format 1's version and the header's size are the producer's
// header's (include/lucompat/liveupdate_versions.h), not copies of them.
constexpr uint32_t kMagic = LUCOMPAT_LIVEUPDATE_MAGIC;
constexpr uint64_t kHeaderSize = sizeof(lucompat_liveupdate_versions_hdr);
static_assert(LUCOMPAT_LIVEUPDATE_FORMAT_VERSION == 1, "format 1 is the header's default");

constexpr std::array kFormats{
    // RFC "liveupdate: list all file handler versions in vmlinux section".
    TableFormat{".liveupdate_versions", ".liveupdate_sec_hdr", kMagic,
                LUCOMPAT_LIVEUPDATE_FORMAT_VERSION, kHeaderSize, kFixedSlotSize,
                &decode_string_slots, &scan_string_slots},
    // lucompat's format 2 (docs/formats.md): format 1 plus integer-version
    // slots, upstream's "name + integer version" proposal.
    TableFormat{".liveupdate_versions", ".liveupdate_sec_hdr", kMagic, 2, kHeaderSize,
                kFixedSlotSize, &decode_versioned_slots, &scan_versioned_slots},
};

static_assert(std::all_of(kFormats.begin(), kFormats.end(),
                          [](const TableFormat& f) { return f.magic == kFormats[0].magic; }),
              "the marker scan looks for one magic: teach its filter a second one first");

}  // namespace

TableFormats table_formats() { return kFormats; }

uint32_t table_magic() { return kFormats[0].magic; }

uint64_t max_table_size(TableFormats formats) {
  uint64_t most = 0;
  for (const auto& f : formats) most = std::max(most, f.max_size());
  return most;
}

const TableFormat* find_table_format(uint32_t magic, uint32_t version, TableFormats formats) {
  for (const auto& f : formats)
    if (f.magic == magic && f.version == version) return &f;
  return nullptr;
}

const TableFormat* find_table_format_by_section(std::string_view section, TableFormats formats) {
  for (const auto& f : formats)
    if (f.section == section) return &f;
  return nullptr;
}

const TableFormat& find_entries_format(const TableFormat& any_of_section, TableFormats formats) {
  const TableFormat* newest = &any_of_section;
  for (const auto& f : formats)
    if (f.section == any_of_section.section && f.version > newest->version) newest = &f;
  return *newest;
}

bool is_table_magic(uint32_t magic, TableFormats formats) {
  for (const auto& f : formats)
    if (f.magic == magic) return true;
  return false;
}

}  // namespace lucompat
