#include "inspect/kallsyms_registrations.h"

#include <fmt/format.h>

#include "lucompat/derive/registration_layout.h"
#include "lucompat/derive/registrations.h"
#include "lucompat/elf/elf_reader.h"
#include "lucompat/kallsyms/kallsyms.h"

namespace lucompat {
namespace {

// Where each loaded address sits in the bytes.
using AddressMap = std::vector<LoadSegment>;

std::optional<uint64_t> address_of(const Kallsyms& k, std::string_view name) {
  const auto found = k.find(name);
  if (found.empty()) return std::nullopt;
  return found.front()->address;
}

AddressMap address_map(const KernelBytes& kernel, const Kallsyms& k) {
  if (kernel.elf) {
    auto segments = load_segments(kernel.bytes());
    if (!segments) throw ParseError(segments.error());
    return *segments;
  }
  // A raw Image is its loaded bytes from _text on (arm64, riscv booting.rst).
  const auto text = address_of(k, "_text");
  if (!text) return {};
  return {{*text, 0, kernel.bytes().size()}};
}

// The bytes at [address, address + size); with `clip`, as much of them as the
// file holds (the linker pads a region's end to a page the file leaves out).
std::optional<Bytes> bytes_at(const KernelBytes& kernel, const AddressMap& map, uint64_t address,
                              uint64_t size, uint64_t* offset, bool clip = false) {
  for (const LoadSegment& s : map) {
    if (address < s.address || address - s.address >= s.size) continue;
    const uint64_t room = s.size - (address - s.address);
    if (size > room && !clip) return std::nullopt;
    *offset = s.offset + (address - s.address);
    const uint64_t have = std::min(size, room);
    if (*offset > kernel.bytes().size() || have > kernel.bytes().size() - *offset)
      return std::nullopt;
    return kernel.bytes().subspan(*offset, have);
  }
  return std::nullopt;
}

// The linker script's markers of each kind of memory (include/asm-generic/
// vmlinux.lds.h and the architectures' scripts define them all).
struct RegionMarkers {
  const char* start;
  const char* end;
  RegionKind kind;
};
constexpr RegionMarkers kRegions[] = {{"_stext", "_etext", RegionKind::text},
                                      {"__start_rodata", "__end_rodata", RegionKind::rodata},
                                      {"_sdata", "_edata", RegionKind::data}};

MemoryImage memory_image(const KernelBytes& kernel, const Kallsyms& k, const AddressMap& map) {
  MemoryImage image;
  image.pointer_size = static_cast<unsigned>(kernel.pointer_size);
  image.order = kernel.order;
  for (const RegionMarkers& m : kRegions) {
    const auto start = address_of(k, m.start), end = address_of(k, m.end);
    uint64_t offset = 0;
    if (!start || !end || *end <= *start) continue;
    if (auto b = bytes_at(kernel, map, *start, *end - *start, &offset, true))
      image.regions.push_back({*start, offset, *b, m.kind});
  }
  return image;
}

// The build's own BTF, between the markers the linker puts around .BTF.
Result<std::optional<RegistrationLayout>> layout_of(const KernelBytes& kernel, const Kallsyms& k,
                                                    const AddressMap& map, std::string* words) {
  const auto start = address_of(k, "__start_BTF"), stop = address_of(k, "__stop_BTF");
  uint64_t offset = 0;
  if (start && stop && *stop > *start)
    if (auto b = bytes_at(kernel, map, *start, *stop - *start, &offset)) {
      *words = "kallsyms + BTF";
      return layout_from_btf(*b, static_cast<unsigned>(kernel.pointer_size));
    }
  *words = "kallsyms + documented layout";
  return std::optional(documented_layout(static_cast<unsigned>(kernel.pointer_size)));
}

}  // namespace

Result<KallsymsDerivation> registrations_by_kallsyms(const KernelBytes& kernel,
                                                     std::span<const CompatibleForm> core_forms) {
  LUCOMPAT_TRY(decoded, decode_kallsyms(
                            {kernel.bytes(), kernel.order, kernel.pointer_size, kernel.elf, {}}));
  if (!*decoded) return KallsymsDerivation{};
  const Kallsyms& k = **decoded;
  return catch_parse_errors([&]() -> KallsymsDerivation {
    const AddressMap map = address_map(kernel, k);
    const MemoryImage image = memory_image(kernel, k, map);
    LocatedTable out;
    out.location.method = TableMethod::registrations;
    out.location.shape = TableShape::merged;
    out.location.section = "kallsyms";
    out.location.offset = k.location.names;
    const RegistrationSearch search{Evidence::kallsyms, "", true};
    add_core_strings(out, image, core_forms, search);
    std::string words;
    auto layout = layout_of(kernel, k, map, &words);
    if (!layout) throw ParseError(layout.error());
    out.location.evidence = words;
    if (*layout) {
      // Handlers and FLBs are initialised static objects: data symbols.
      // kallsyms has no sizes; the next symbol bounds each object (the ops
      // too: a handler's ops and an FLB's differ in size, so only that
      // bound tells a handler from an FLB).
      std::vector<ObjectCandidate> candidates;
      const std::vector<KallsymsSymbol> sorted = sorted_by_address(k.symbols);
      MemoryImage bounded = image;
      bounded.object_rooms.emplace();
      for (size_t i = 0; i < sorted.size(); ++i) {
        const KallsymsSymbol& s = sorted[i];
        std::optional<uint64_t> room;
        for (size_t j = i + 1; j < sorted.size() && !room; ++j)
          if (sorted[j].address > s.address) room = sorted[j].address - s.address;
        if (room) bounded.object_rooms->emplace(s.address, *room);
        if (s.type == 'd' || s.type == 'D')
          candidates.push_back({s.name, s.address, std::nullopt, room});
      }
      add_registrations(out, bounded, candidates, **layout, search);
    }
    if (out.table.entries.empty() && out.location.near_misses.empty()) return {true, std::nullopt};
    return {true, std::move(out)};
  });
}

}  // namespace lucompat
