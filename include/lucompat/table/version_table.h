// A decoded live-update version table: the compatible strings a kernel (or a
// module) declares it understands, with where each came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lucompat {

struct TableEntry {
  uint32_t slot = 0;      // 1-based position in the table, counting skipped slots
  std::string compatible;
  uint64_t offset = 0;    // input offset of the entry's first byte
};

// Tolerated oddities: the table stays usable, but a human should know.
struct TableWarning {
  uint64_t offset = 0;
  std::string message;
};

struct VersionTable {
  // Absent when the input holds entries without a header (a module: the
  // header object lives in vmlinux), so the format is implied, not stated.
  std::optional<uint32_t> format_version;
  std::vector<TableEntry> entries;
  std::vector<TableWarning> warnings;
};

}  // namespace lucompat
