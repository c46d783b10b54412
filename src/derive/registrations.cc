#include "lucompat/derive/registrations.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace lucompat {
namespace {

bool listed(const LocatedTable& out, const std::string& s) {
  return std::any_of(out.table.entries.begin(), out.table.entries.end(),
                     [&](const TableEntry& e) { return e.compatible == s; });
}

}  // namespace

void append_entry(LocatedTable& out, std::string compatible, uint64_t offset, Registration reg) {
  TableEntry e;
  e.slot = static_cast<uint32_t>(out.table.entries.size()) + 1;
  e.compatible = std::move(compatible);
  e.offset = offset;
  e.registration = std::move(reg);
  out.table.entries.push_back(std::move(e));
}

void add_core_strings(LocatedTable& out, const MemoryImage& image,
                      std::span<const CompatibleForm> forms, const RegistrationSearch& search,
                      bool (*skip)(const void* context, uint64_t offset), const void* context) {
  for (const MemoryRegion& r : image.regions) {
    if (r.kind != RegionKind::rodata || (skip != nullptr && skip(context, r.offset))) continue;
    for (FoundString& f : find_core_strings(r.bytes, r.offset, forms))
      if (!listed(out, f.text))
        append_entry(out, std::move(f.text), f.offset,
                     {EntryKind::core, "", {}, "", search.evidence});
  }
}

void add_registrations(LocatedTable& out, const MemoryImage& image,
                       const std::vector<ObjectCandidate>& candidates,
                       const RegistrationLayout& layout, const RegistrationSearch& search) {
  std::vector<std::pair<MatchedObject, const ObjectCandidate*>> found;
  std::set<uint64_t> matched_at;
  std::vector<std::pair<uint64_t, std::string>> near_misses;
  for (const ObjectCandidate& c : candidates) {
    if (matched_at.count(c.address) != 0) continue;  // an alias of an object already found
    std::string why;
    if (auto m = match_object(image, c, layout, &why)) {
      matched_at.insert(c.address);
      found.emplace_back(std::move(*m), &c);
    } else if (auto s = near_miss_compatible(image, c, layout)) {
      near_misses.emplace_back(c.address, fmt::format("{} is sized like a registration and holds "
                                                      "\"{}\", but is not counted: {}",
                                                      c.symbol, *s, why));
    }
  }
  // Handlers first, then FLBs, each in address order: stable across builds.
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    if (a.first.kind != b.first.kind) return a.first.kind == EntryKind::file;
    return a.first.offset < b.first.offset;
  });
  // A near miss at an address that also matched under another name is none.
  for (auto& [address, what] : near_misses)
    if (matched_at.count(address) == 0) out.location.near_misses.push_back(std::move(what));
  for (auto& [m, c] : found) {
    Registration reg{m.kind, c->symbol, std::nullopt, search.module, search.evidence};
    if (search.link_addresses) reg.address = c->address;
    append_entry(out, std::move(m.compatible), m.offset, std::move(reg));
  }
}

}  // namespace lucompat
