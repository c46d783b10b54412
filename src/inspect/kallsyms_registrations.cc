#include "inspect/kallsyms_registrations.h"

#include <fmt/format.h>

#include "lucompat/derive/derivation.h"
#include "lucompat/elf/elf_reader.h"
#include "lucompat/kallsyms/kallsyms.h"

namespace lucompat {
namespace {

// Where each loaded address sits in the bytes: an ELF's segments; a raw
// Image is its loaded bytes from _text on (arm64, riscv booting.rst).
std::vector<AddressRange> address_ranges(const KernelBytes& kernel, const SymbolLookup& symbols) {
  std::vector<AddressRange> out;
  if (kernel.elf) {
    for (const LoadSegment& s : value_or_throw(load_segments(kernel.bytes())))
      out.push_back({s.address, s.offset, s.size});
    return out;
  }
  if (const auto text = symbols("_text")) out.push_back({*text, 0, kernel.bytes().size()});
  return out;
}

// The bytes at [start, stop) when the ranges hold them whole.
std::optional<Bytes> bytes_between(const std::vector<AddressRange>& ranges, Bytes file,
                                   uint64_t start, uint64_t stop, uint64_t* offset) {
  for (const AddressRange& r : ranges) {
    if (start < r.address || stop > r.address + r.size || stop <= start) continue;
    *offset = r.offset + (start - r.address);
    if (*offset > file.size() || stop - start > file.size() - *offset) return std::nullopt;
    return file.subspan(*offset, stop - start);
  }
  return std::nullopt;
}

// Every symbol in the data region, bounded by the next symbol (kallsyms has
// no sizes); and that room for every symbol, for the ops objects.
void add_candidates(const Kallsyms& k, ImageEvidence& ev) {
  const std::vector<KallsymsSymbol> sorted = sorted_by_address(k.symbols);
  ev.image.object_rooms.emplace();
  for (size_t i = 0; i < sorted.size(); ++i) {
    const KallsymsSymbol& s = sorted[i];
    std::optional<uint64_t> room;
    for (size_t j = i + 1; j < sorted.size() && !room; ++j)
      if (sorted[j].address > s.address) room = sorted[j].address - s.address;
    if (room) ev.image.object_rooms->emplace(s.address, *room);
    const MemoryRegion* r = ev.image.region_of(s.address, 1);
    if (r != nullptr && r->kind == RegionKind::data)
      ev.candidates.push_back({s.name, s.address, std::nullopt, room});
  }
}

}  // namespace

Result<std::optional<DerivedSet>> registrations_by_kallsyms(
    const KernelBytes& kernel, const std::string& release,
    std::span<const CompatibleForm> core_forms) {
  LUCOMPAT_TRY(decoded, decode_kallsyms(
                            {kernel.bytes(), kernel.order, kernel.pointer_size, kernel.elf, {}}));
  if (!*decoded) return std::optional<DerivedSet>{};
  const Kallsyms& k = **decoded;
  return catch_parse_errors([&]() -> Result<std::optional<DerivedSet>> {
    SymbolAddresses by_name;
    for (const KallsymsSymbol& s : k.symbols) by_name.emplace(s.name, s.address);
    ImageEvidence ev;
    ev.symbols = lookup_in(by_name);
    ev.evidence = Evidence::kallsyms;
    ev.basis = "kallsyms";
    ev.section = "kallsyms";
    ev.offset = k.location.names;
    ev.release = release;
    ev.image.pointer_size = static_cast<unsigned>(kernel.pointer_size);
    ev.image.order = kernel.order;
    const std::vector<AddressRange> ranges = address_ranges(kernel, ev.symbols);
    ev.image.regions = regions_by_markers(ev.symbols, ranges, kernel.bytes());
    // kallsyms holds data symbols only with CONFIG_KALLSYMS_ALL; then, and
    // only then, a symbol it lacks is not in the kernel.
    ev.symbols_complete = ev.symbols("_sdata") && ev.symbols("_edata");
    const auto start = ev.symbols("__start_BTF"), stop = ev.symbols("__stop_BTF");
    if (start && stop)
      ev.btf = bytes_between(ranges, kernel.bytes(), *start, *stop, &ev.btf_offset);
    add_candidates(k, ev);
    LUCOMPAT_TRY(set, derive_from_image(ev, core_forms));
    return std::optional<DerivedSet>(std::move(set).value());
  });
}

}  // namespace lucompat
