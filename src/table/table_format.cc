#include "lucompat/table/table_format.h"

#include <array>

#include "table/fixed_slot_entries.h"

namespace lucompat {
namespace {

// RFC "liveupdate: list all file handler versions in vmlinux section".
constexpr std::array kFormats{
    TableFormat{".liveupdate_versions", ".liveupdate_sec_hdr", 0x4c565550, 1, 8, kFixedSlotSize,
                &decode_fixed_slot_entries, &scan_fixed_slot_entries},
};

}  // namespace

std::span<const TableFormat> table_formats() { return kFormats; }

const TableFormat* find_table_format(uint32_t magic, uint32_t version) {
  for (const auto& f : kFormats)
    if (f.magic == magic && f.version == version) return &f;
  return nullptr;
}

const TableFormat* find_table_format_by_section(std::string_view section) {
  for (const auto& f : kFormats)
    if (f.section == section) return &f;
  return nullptr;
}

bool is_table_magic(uint32_t magic) {
  for (const auto& f : kFormats)
    if (f.magic == magic) return true;
  return false;
}

}  // namespace lucompat
