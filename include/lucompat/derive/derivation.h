// The one evidence chain from what a reader found in a kernel image (or a
// module) to its derived version set: the LUO model (the build's BTF, the
// kernel's for a module, else the layout documented for the release), the
// core strings in read-only data, every object in the data region matched
// against the model (arrays element by element), what could not be read,
// and whether LUO is there at all. The ELF symbol table, the kallsyms and
// the scan readers only say where the bytes and the symbols are.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lucompat/base/result.h"
#include "lucompat/derive/core_strings.h"
#include "lucompat/derive/derived_set.h"
#include "lucompat/derive/luo_model.h"
#include "lucompat/derive/memory_image.h"
#include "lucompat/derive/object_matcher.h"

namespace lucompat {

// A symbol's address by name, or nullopt: the reader's symbols.
using SymbolLookup = std::function<std::optional<uint64_t>(std::string_view)>;

// The first address of each name a reader collected; the lookup reads the
// map, which must outlive it.
using SymbolAddresses = std::unordered_map<std::string_view, uint64_t>;
SymbolLookup lookup_in(const SymbolAddresses& names);

// The linker script's markers of each kind of memory
// (include/asm-generic/vmlinux.lds.h and every architecture's script):
// objects count by where they live, not by section flags or type letters
// (x86_64's .data is executable since 6.x: .text..relocate_kernel is in it).
struct RegionMarkers {
  const char* start;
  const char* end;
  RegionKind kind;
};
inline constexpr RegionMarkers kRegionMarkers[] = {
    {"_stext", "_etext", RegionKind::text},
    {"__start_rodata", "__end_rodata", RegionKind::rodata},
    {"_sdata", "_edata", RegionKind::data}};

// Where a linked image's bytes sit: [address, address + size) at `offset`.
struct AddressRange {
  uint64_t address = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

// The regions the markers bound, with the bytes `ranges` map them to (as
// much of each as the file holds: the linker pads a region's end to a page
// the file may leave out); empty when the symbols lack the markers.
std::vector<MemoryRegion> regions_by_markers(const SymbolLookup& symbols,
                                             const std::vector<AddressRange>& ranges, Bytes file);

struct ImageEvidence {
  Evidence evidence = Evidence::symtab;
  std::string basis;    // "symtab", "kallsyms", "scan": the first words of DerivedSet::basis
  std::string section;  // where the evidence lies, for reports
  uint64_t offset = 0;
  std::string release;  // for the documented layouts
  MemoryImage image;
  std::vector<ObjectCandidate> candidates;
  // Adds to the candidates (and to the image's object sizes or rooms) what a
  // reader lists only when objects are to be matched: a kernel whose complete
  // symbols show no LUO needs none, and listing a large kernel's costs.
  std::function<void(MemoryImage&, std::vector<ObjectCandidate>&)> more_candidates;
  SymbolLookup symbols;           // null: none (a scan)
  bool symbols_complete = false;  // every symbol, data included: a missing one is not there
  std::optional<Bytes> btf;       // the build's own BTF
  uint64_t btf_offset = 0;
  std::optional<LuoModel> base_model;  // a module's kernel's (its split BTF lacks the structs)
  bool kernel = true;                  // false: a module, which writes no core strings
  std::string module;                  // the module's name; empty for a kernel
  bool link_addresses = true;          // false in a relocatable module
  // Read-only bytes whose strings are no evidence of the code (an RFC table's
  // section), by input offset.
  std::function<bool(uint64_t)> not_code;
  std::vector<DerivationGap> gaps;  // what the reader already knows it did not read
};

// The model a kernel's evidence gives, and in which words: nullopt with no
// error when the build's BTF shows that it has no LUO structs.
struct ModelChoice {
  std::optional<LuoModel> model;
  bool btf_without_luo = false;
};
ModelChoice choose_model(std::optional<Bytes> btf, const std::optional<LuoModel>& base,
                         std::string_view release, unsigned pointer_size);

// A function every LUO kernel has (kernel/liveupdate/luo_file.c): with
// complete symbols, its absence shows that LUO was not built.
inline constexpr std::string_view kLuoAnchor = "liveupdate_register_file_handler";

// Throws ParseError, as the readers that call it do (docs/architecture.md,
// "Errors"); a BTF error names its offset.
DerivedSet derive_from_image(const ImageEvidence& evidence,
                             std::span<const CompatibleForm> core_forms);

// Helpers every path shares.
void append_entry(DerivedSet& out, std::string compatible, uint64_t offset, Registration reg);
void add_core_strings(DerivedSet& out, const MemoryImage& image,
                      std::span<const CompatibleForm> forms, Evidence evidence,
                      const std::function<bool(uint64_t)>& not_code = nullptr);

}  // namespace lucompat
