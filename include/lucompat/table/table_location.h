// Where in an input a version table was found, and in which shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lucompat/table/version_table.h"

namespace lucompat {

enum class TableMethod {
  section,       // found by section name in the section header table
  segment_scan,  // found by its magic inside loaded segments (no section headers)
  magic_scan,    // found by its magic in a raw image (no ELF structure at all)
};

enum class TableShape {
  merged,        // header and entries in one section: a linked kernel
  split,         // header and entries in two sections: a relocatable object
  entries_only,  // entries alone: a module built with the kernel's macro
};

std::string_view name(TableMethod m);
std::string_view name(TableShape s);

struct TableLocation {
  TableMethod method = TableMethod::section;
  TableShape shape = TableShape::merged;
  std::string section;                    // empty for a segment scan
  uint64_t offset = 0;                    // input offset of the table's first byte
  uint64_t size = 0;                      // bytes, header included
  std::optional<uint64_t> header_offset;  // a split table's header section
};

struct LocatedTable {
  TableLocation location;
  VersionTable table;
};

}  // namespace lucompat
