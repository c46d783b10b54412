#include "lucompat/derive/derivation.h"

#include <fmt/format.h>

#include <algorithm>

namespace lucompat {
namespace {

bool listed(const DerivedSet& out, const std::string& s) {
  return std::any_of(out.entries.begin(), out.entries.end(),
                     [&](const TableEntry& e) { return e.compatible == s; });
}

bool has_region(const MemoryImage& image, RegionKind kind) {
  return std::any_of(image.regions.begin(), image.regions.end(),
                     [&](const MemoryRegion& r) { return r.kind == kind && !r.bytes.empty(); });
}

// A module registers nothing when its complete symbols show nothing and no
// byte of it went unread; a kernel has no LUO when its complete symbols, or
// its BTF, lack LUO altogether.
LuoPresence presence(const ImageEvidence& ev, const DerivedSet& out, bool anchor,
                     const ModelChoice& choice) {
  if (!out.entries.empty() || anchor) return LuoPresence::present;
  if (ev.kernel ? ev.symbols_complete || choice.btf_without_luo
                : ev.symbols_complete && out.gaps.empty())
    return LuoPresence::absent;
  return LuoPresence::unknown;
}

}  // namespace

std::string_view name(GapKind k) {
  switch (k) {
    case GapKind::near_miss:
      return "near_miss";
    case GapKind::unread_list:
      return "unread_list";
    case GapKind::no_model:
      return "no_model";
    case GapKind::unread_region:
      return "unread_region";
    case GapKind::unsearched_kind:
      return "unsearched_kind";
  }
  return "unknown";
}

const DerivationGap* DerivedSet::gap(GapKind kind) const {
  const auto it = std::find_if(gaps.begin(), gaps.end(),
                               [&](const DerivationGap& g) { return g.kind == kind; });
  return it == gaps.end() ? nullptr : &*it;
}

SymbolLookup lookup_in(const SymbolAddresses& names) {
  return [&names](std::string_view n) -> std::optional<uint64_t> {
    const auto it = names.find(n);
    if (it == names.end()) return std::nullopt;
    return it->second;
  };
}

std::vector<MemoryRegion> regions_by_markers(const SymbolLookup& symbols,
                                             const std::vector<AddressRange>& ranges, Bytes file) {
  std::vector<MemoryRegion> out;
  if (!symbols) return out;
  for (const RegionMarkers& m : kRegionMarkers) {
    const auto start = symbols(m.start), end = symbols(m.end);
    if (!start || !end || *end <= *start) continue;
    for (const AddressRange& r : ranges) {
      if (*start < r.address || *start - r.address >= r.size) continue;
      const uint64_t offset = r.offset + (*start - r.address);
      const uint64_t have = std::min(*end - *start, r.size - (*start - r.address));
      if (offset > file.size() || have > file.size() - offset) break;
      out.push_back({*start, offset, file.subspan(offset, have), m.kind});
      break;
    }
  }
  return out;
}

ModelChoice choose_model(std::optional<Bytes> btf, const std::optional<LuoModel>& base,
                         std::string_view release, unsigned pointer_size) {
  if (base) return ModelChoice{base, false};
  if (!btf) return ModelChoice{documented_model(release, pointer_size), false};
  std::optional<LuoModel> model = model_from_btf(*btf, pointer_size);
  const bool without_luo = !model.has_value();
  return ModelChoice{std::move(model), without_luo};
}

void append_entry(DerivedSet& out, std::string compatible, uint64_t offset, Registration reg) {
  TableEntry e;
  e.slot = static_cast<uint32_t>(out.entries.size()) + 1;
  e.compatible = std::move(compatible);
  e.offset = offset;
  e.registration = std::move(reg);
  out.entries.push_back(std::move(e));
}

void add_core_strings(DerivedSet& out, const MemoryImage& image,
                      std::span<const CompatibleForm> forms, Evidence evidence,
                      const std::function<bool(uint64_t)>& not_code) {
  for (const MemoryRegion& r : image.regions) {
    if (r.kind != RegionKind::rodata || (not_code && not_code(r.offset))) continue;
    for (FoundString& f : find_core_strings(r.bytes, r.offset, forms))
      if (!listed(out, f.text))
        append_entry(out, std::move(f.text), f.offset, {f.kind, "", {}, "", evidence});
  }
}

namespace {

// The model of an image's evidence. A BTF error is located here, since
// libbpf names no offset: the BTF's own is the best one to give (context
// added to the error, which stays a ParseError).
ModelChoice model_for(const ImageEvidence& ev) {
  try {
    return choose_model(ev.btf, ev.base_model, ev.release, ev.image.pointer_size);
  } catch (const ParseError& e) {
    Error located = e.error();
    if (!located.offset) located.offset = ev.btf_offset;
    throw ParseError(std::move(located));
  }
}

}  // namespace

DerivedSet derive_from_image(const ImageEvidence& ev, std::span<const CompatibleForm> core_forms) {
  DerivedSet out;
  out.evidence = ev.evidence;
  out.section = ev.section;
  out.offset = ev.offset;
  out.gaps = ev.gaps;
  ModelChoice choice = model_for(ev);
  out.basis = fmt::format("{} + {}", ev.basis,
                          choice.model ? choice.model->source : std::string("BTF without LUO"));
  const bool anchor = ev.symbols && ev.symbols(kLuoAnchor).has_value();
  if (ev.kernel) add_core_strings(out, ev.image, core_forms, ev.evidence, ev.not_code);
  // With every symbol and none of LUO's, no object can be a registration:
  // matching would only turn look-alikes into near misses.
  const bool luo_possible = anchor || !out.entries.empty() || !ev.symbols_complete || !ev.kernel;
  if (choice.model && luo_possible) {
    MemoryImage image = ev.image;
    std::vector<ObjectCandidate> candidates = ev.candidates;
    if (ev.more_candidates) ev.more_candidates(image, candidates);
    ObjectMatches m = match_objects(image, candidates, *choice.model);
    for (MatchedObject& o : m.matched) {
      Registration reg{o.kind, o.symbol, std::nullopt, ev.module, ev.evidence};
      if (ev.link_addresses) reg.address = o.address;
      append_entry(out, std::move(o.compatible), o.offset, std::move(reg));
    }
    for (std::string& n : m.near_misses) out.gaps.push_back({GapKind::near_miss, std::move(n)});
  }
  out.luo = presence(ev, out, anchor, choice);
  out.model = std::move(choice.model);
  if (out.luo == LuoPresence::present && ev.kernel) {
    if (!out.model)
      out.gaps.push_back({GapKind::no_model,
                          "the kernel's BTF has none of LUO's structs, yet LUO is built in, so its "
                          "objects cannot be matched"});
    else if (!has_region(ev.image, RegionKind::data))
      out.gaps.push_back(
          {GapKind::unread_region,
           "the kernel's data (_sdata.._edata) could not be located, so no handler or FLB "
           "object could be read (kallsyms without data symbols: CONFIG_KALLSYMS_ALL off)"});
  }
  if (out.luo == LuoPresence::absent) out.gaps.clear();  // nothing of LUO to miss
  return out;
}

}  // namespace lucompat
