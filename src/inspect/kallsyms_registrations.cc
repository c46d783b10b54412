#include "inspect/kallsyms_registrations.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

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
    for (const LoadSegment& s : load_segments(kernel.bytes()))
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
// no sizes); and that room for every symbol, for the ops objects. The table
// is in address order; symbols at one address are listed by name, as
// System.map (nm -n) has them.
void add_candidates(const Kallsyms& k, MemoryImage& image, std::vector<ObjectCandidate>& out) {
  image.object_rooms.emplace();
  const size_t n = k.size();
  std::vector<std::pair<std::string, size_t>> here;  // one address's data symbols
  for (size_t i = 0, next = 0; i < n; i = next) {
    const uint64_t address = k.addresses[i];
    for (next = i; next < n && k.addresses[next] == address;) ++next;
    std::optional<uint64_t> room;
    if (next < n) room = k.addresses[next] - address;
    if (room) image.object_rooms->emplace_back(address, *room);
    const MemoryRegion* r = image.region_of(address, 1);
    if (r == nullptr || r->kind != RegionKind::data) continue;
    here.clear();
    for (size_t j = i; j < next; ++j) here.emplace_back(k.names.name(j), j);
    std::sort(here.begin(), here.end());
    for (auto& [name, j] : here) out.push_back({std::move(name), address, std::nullopt, room});
  }
  // A damaged table out of address order: still one room per address, the first.
  auto& rooms = *image.object_rooms;
  if (!std::is_sorted(rooms.begin(), rooms.end())) {
    std::stable_sort(rooms.begin(), rooms.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    rooms.erase(std::unique(rooms.begin(), rooms.end(),
                            [](const auto& a, const auto& b) { return a.first == b.first; }),
                rooms.end());
  }
}

}  // namespace

Result<std::optional<DerivedSet>> registrations_by_kallsyms(
    const KernelBytes& kernel, const std::string& release,
    std::span<const CompatibleForm> core_forms) {
  LUCOMPAT_TRY(
      decoded,
      decode_kallsyms(
          {kernel.bytes(), kernel.order, kernel.order_known, kernel.pointer_size, kernel.elf, {}}));
  if (!*decoded) return std::optional<DerivedSet>{};
  const Kallsyms& k = **decoded;
  return catch_parse_errors([&]() -> Result<std::optional<DerivedSet>> {
    ImageEvidence ev;
    // The first symbol of each name, as a symbol table's lookup: the few
    // names asked for are compared where they are spelled, not expanded.
    ev.symbols = [&k](std::string_view name) -> std::optional<uint64_t> {
      for (size_t i = 0; i < k.size(); ++i)
        if (k.names.is(i, name)) return k.addresses[i];
      return std::nullopt;
    };
    ev.evidence = Evidence::kallsyms;
    ev.basis = "kallsyms";
    ev.section = "kallsyms";
    ev.offset = k.location.names;
    ev.release = release;
    ev.image.pointer_size = static_cast<unsigned>(kernel.pointer_size);
    ev.image.order = k.order;
    const std::vector<AddressRange> ranges = address_ranges(kernel, ev.symbols);
    ev.image.regions = regions_by_markers(ev.symbols, ranges, kernel.bytes());
    // kallsyms holds data symbols only with CONFIG_KALLSYMS_ALL; then, and
    // only then, a symbol it lacks is not in the kernel.
    ev.symbols_complete = ev.symbols("_sdata") && ev.symbols("_edata");
    const auto start = ev.symbols("__start_BTF"), stop = ev.symbols("__stop_BTF");
    if (start && stop)
      ev.btf = bytes_between(ranges, kernel.bytes(), *start, *stop, &ev.btf_offset);
    ev.more_candidates = [&k](MemoryImage& image, std::vector<ObjectCandidate>& out) {
      add_candidates(k, image, out);
    };
    return std::optional<DerivedSet>(derive_from_image(ev, core_forms));
  });
}

}  // namespace lucompat
