// Reading a version table and the kernel identity from an ELF file: a linked
// vmlinux, a module (.ko), or any relocatable object, of either class and byte
// order.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lucompat/base/byte_range.h"
#include "lucompat/base/byte_reader.h"
#include "lucompat/base/result.h"
#include "lucompat/derive/core_strings.h"
#include "lucompat/derive/derived_set.h"
#include "lucompat/derive/luo_model.h"
#include "lucompat/identity/kernel_identity.h"
#include "lucompat/table/table_location.h"

namespace lucompat {

struct ElfInfo {
  int elf_class = 0;  // 32 or 64
  ByteOrder order = ByteOrder::little;
  uint16_t type = 0;
  uint16_t machine = 0;
  std::string machine_name;  // "x86-64"
  std::string type_name;     // "executable"
  std::string arch;          // "x86_64": the kernel's name, for matching two kernels
  bool has_section_headers = false;
  bool sections_cut = false;  // it has them, but early exit stopped before them

  // "ELF64 LSB x86-64 executable", as file(1) would start it.
  std::string describe() const;
};

struct ElfReading {
  ElfInfo elf;
  KernelIdentity identity;
  std::optional<LocatedTable> table;  // absent: the file carries no RFC table
  // Derived from the handler and FLB objects and core strings the file
  // carries; absent when it has no symbol table to find them by.
  std::optional<DerivedSet> derived;
  // The LUO model from this file's own BTF: a module of this kernel is
  // matched with it too.
  std::optional<LuoModel> model;
};

bool is_elf(Bytes data);

struct ElfReadOptions {
  // The prefix early exit left: read by its program headers alone.
  bool cut = false;
  // Where `file` holds data (see Unwrapped::present); empty: everywhere. The
  // banner and table searches skip the rest.
  std::vector<ByteRange> present;
  // The core ABI string forms to look for (the catalog's core families).
  std::vector<CompatibleForm> core_forms;
  // A module's kernel's model (its split BTF lacks the structs).
  std::optional<LuoModel> base_model;
};

// Offsets in errors and results are offsets in `file`.
Result<ElfReading> read_elf(Bytes file, const ElfReadOptions& options = {});

// The registrations of a linked ELF without a symbol table, found by a
// structural scan of its bytes (Evidence::scan: a verdict on them needs
// --trust-scan); nullopt when nothing shaped like one is there.
Result<std::optional<DerivedSet>> registrations_by_scan(Bytes file, const std::string& release,
                                                        std::span<const CompatibleForm> core_forms);

// Where a linked file's loaded segments sit: file bytes by address.
struct LoadSegment {
  uint64_t address = 0;
  uint64_t offset = 0;
  uint64_t size = 0;  // bytes in the file
};
// Throws ParseError: its callers are decoders (kallsyms) and derivations
// that throw too.
std::vector<LoadSegment> load_segments(Bytes file);

}  // namespace lucompat
