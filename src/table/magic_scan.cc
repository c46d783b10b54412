#include "lucompat/table/magic_scan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "lucompat/table/decode.h"

namespace lucompat {
namespace {

struct Candidate {
  uint64_t offset;
  uint64_t address;
  Result<VersionTable> table;
};

std::vector<Candidate> candidates(const std::vector<ScanRegion>& regions, ByteOrder order,
                                  uint32_t magic) {
  std::vector<Candidate> out;
  const uint32_t stored = load<uint32_t>(reinterpret_cast<const std::byte*>(&magic), order);
  for (const auto& region : regions) {
    const auto* base = reinterpret_cast<const char*>(region.bytes.data());
    const size_t size = region.bytes.size();
    for (size_t at = 0; size >= 8 && at <= size - 4;) {
      const void* hit = memmem(base + at, size - at, &stored, 4);
      if (hit == nullptr) break;
      at = static_cast<size_t>(static_cast<const char*>(hit) - base);
      out.push_back({region.offset + at, region.address + at,
                     scan_table(region.bytes.subspan(at), order, region.offset + at)});
      ++at;
    }
  }
  return out;
}

bool same_entries(const VersionTable& a, const VersionTable& b) {
  return std::equal(a.entries.begin(), a.entries.end(), b.entries.begin(), b.entries.end(),
                    [](const auto& x, const auto& y) { return x.compatible == y.compatible; });
}

}  // namespace

std::optional<LocatedTable> scan_for_table(const std::vector<ScanRegion>& regions, ByteOrder order,
                                           bool order_known) {
  const TableFormat& format = table_formats().front();
  std::vector<Candidate> all = candidates(regions, order, format.magic);
  std::vector<Candidate*> valid;
  for (auto& c : all)
    if (c.table.ok()) valid.push_back(&c);
  if (valid.empty()) {
    // A magic followed by an unknown format version is a table we cannot
    // read, not an absent one.
    for (auto& c : all)
      if (c.table.error().kind == ErrorKind::unsupported) throw ParseError(c.table.error());
    if (!order_known) return scan_for_table(regions, other(order), true);
    for (auto& c : candidates(regions, other(order), format.magic))
      if (c.table.ok())
        fail(ErrorKind::malformed, c.offset,
             fmt::format("table magic is byte-swapped: the table is stored {} but the file is {}",
                         name(other(order)), name(order)));
    return std::nullopt;
  }
  // The linker script aligns the table to 8; prefer such hits over chance ones.
  std::vector<Candidate*> aligned;
  for (Candidate* c : valid)
    if (c->address % 8 == 0) aligned.push_back(c);
  const auto& pick = aligned.empty() ? valid : aligned;
  for (const Candidate* c : pick)
    if (!same_entries(*pick.front()->table, *c->table))
      fail(ErrorKind::malformed, c->offset,
           fmt::format("two different tables found by the magic scan, at {:#x} and {:#x}",
                       pick.front()->offset, c->offset));
  Candidate& c = *pick.front();
  const uint64_t size = format.header_size + c.table->entries.size() * format.entry_size;
  VersionTable table = std::move(c.table).value();
  if (pick.size() > 1)
    table.warnings.push_back(
        {pick[1]->offset, fmt::format("the same table appears {} times; using the first at {:#x}",
                                      pick.size(), c.offset)});
  return LocatedTable{{TableMethod::segment_scan, TableShape::merged, "", c.offset, size, {}},
                      std::move(table)};
}

}  // namespace lucompat
