// A decoded live-update version table: the compatible strings a kernel (or a
// module) declares it understands, with where each came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lucompat {

// What a string derived from a kernel's registrations is: a core ABI string
// (luo-vN, kho-vN), a KHO subtree's handed over beside LUO (memblock-vN), a
// file handler's or an FLB's compatible.
enum class EntryKind { core, subtree, file, flb };
std::string_view name(EntryKind k);

// Whether the kernel has LUO at all. `absent` needs complete evidence: every
// symbol (a symbol table, or kallsyms with data symbols) and none of LUO's.
enum class LuoPresence { unknown, present, absent };
std::string_view name(LuoPresence p);

// How a registration was found, strongest first: the file's own symbol table,
// the kernel's embedded kallsyms, or a scan of the bytes without any symbols;
// or, for the running kernel, its lists read through /proc/kcore.
enum class Evidence { symtab, kallsyms, scan, kcore };
std::string_view name(Evidence e);

// Where a string derived from the objects a kernel registers came from.
struct Registration {
  EntryKind kind = EntryKind::file;
  std::string symbol;               // the object's symbol; empty for a core string
  std::optional<uint64_t> address;  // link-time address; absent in a relocatable module
  std::string module;               // the module's name, empty for the kernel itself
  Evidence evidence = Evidence::symtab;
};

struct TableEntry {
  uint32_t slot = 0;  // 1-based position in the table, counting skipped slots
  std::string compatible;
  uint64_t offset = 0;  // input offset of the entry's first byte
  // Set for a string derived from registrations (derive/derived_set.h).
  std::optional<Registration> registration;
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
