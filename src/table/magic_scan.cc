#include "lucompat/table/magic_scan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "lucompat/table/decode.h"
#include "lucompat/table/marker_scan.h"

namespace lucompat {
namespace {

struct Candidate {
  uint64_t offset;
  uint64_t address;
  Result<VersionTable> table;
  const TableFormat* format = nullptr;  // once the table decoded
};

// Where each region holds a table magic, in either order: one pass for both.
using Hits = std::vector<std::vector<MarkerHit>>;

// Only the table magics are kept (the banner is found by the identity
// reader), and no more of them than kMaxMarkerCandidates, each of which is
// decoded: 64 MiB of magics took 4.4 GB and 39 s before.
Hits find_magics(const std::vector<ScanRegion>& regions) {
  Hits hits(regions.size());
  size_t found = 0;
  for (size_t i = 0; i < regions.size(); ++i)
    visit_markers(regions[i].bytes, [&](const MarkerHit& h) {
      if (h.marker == Marker::banner) return true;
      if (++found > kMaxMarkerCandidates)
        fail(
            ErrorKind::limit, regions[i].offset + h.offset,
            fmt::format("more than {} table magics: a kernel has one table", kMaxMarkerCandidates));
      hits[i].push_back(h);
      return true;
    });
  return hits;
}

std::vector<Candidate> candidates(const std::vector<ScanRegion>& regions, const Hits& hits,
                                  ByteOrder order, TableFormats formats) {
  // The registry's magic as stored in `order`.
  const Marker stored = order == ByteOrder::little ? Marker::table_le : Marker::table_be;
  std::vector<Candidate> out;
  for (size_t i = 0; i < regions.size(); ++i) {
    const ScanRegion& region = regions[i];
    for (const MarkerHit& h : hits[i]) {
      if (h.marker != stored || region.bytes.size() - h.offset < 8) continue;
      const Bytes at = region.bytes.subspan(h.offset);
      const uint64_t offset = region.offset + h.offset;
      Candidate& c = out.emplace_back(
          Candidate{offset, region.address + h.offset, scan_table(at, order, offset, formats)});
      if (c.table.ok()) c.format = decode_table_header(at, order, offset, formats).value();
    }
  }
  return out;
}

bool same_entries(const VersionTable& a, const VersionTable& b) {
  return std::equal(a.entries.begin(), a.entries.end(), b.entries.begin(), b.entries.end(),
                    [](const auto& x, const auto& y) { return x.compatible == y.compatible; });
}

std::vector<Candidate*> valid_ones(std::vector<Candidate>& all) {
  std::vector<Candidate*> valid;
  for (auto& c : all)
    if (c.table.ok()) valid.push_back(&c);
  return valid;
}

// A magic followed by a known format whose body is damaged, or by an unknown
// format version, is a table we cannot read, not an absent one: refuse the
// input rather than fall back to another candidate or to "no table".
void refuse_unreadable(const std::vector<Candidate>& all) {
  for (const auto& c : all)
    if (!c.table.ok()) throw ParseError(c.table.error());
}

LocatedTable pick_table(const std::vector<Candidate*>& valid) {
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
  const uint64_t size = c.format->header_size + c.table->entries.size() * c.format->entry_size;
  VersionTable table = std::move(c.table).value();
  if (pick.size() > 1)
    table.warnings.push_back(
        {pick[1]->offset, fmt::format("the same table appears {} times; using the first at {:#x}",
                                      pick.size(), c.offset)});
  return {{TableMethod::segment_scan, TableShape::merged, "", c.offset, size, {}},
          std::move(table)};
}

// Both byte orders are always examined: a kernel has one, so a table in each
// is a forgery or a corruption, and picking either could be the wrong one.
std::optional<LocatedTable> scan_in_order(const std::vector<ScanRegion>& regions, const Hits& hits,
                                          ByteOrder order, bool order_known, TableFormats formats) {
  std::vector<Candidate> mine = candidates(regions, hits, order, formats);
  std::vector<Candidate> swapped = candidates(regions, hits, other(order), formats);
  refuse_unreadable(mine);
  std::vector<Candidate*> valid = valid_ones(mine);
  std::vector<Candidate*> valid_swapped = valid_ones(swapped);
  if (!valid.empty() && !valid_swapped.empty())
    fail(ErrorKind::malformed, valid_swapped.front()->offset,
         fmt::format("a table is stored in both byte orders (a {} one at {:#x}, a {} one at "
                     "{:#x}): a kernel has one byte order, so neither can be trusted",
                     name(order), valid.front()->offset, name(other(order)),
                     valid_swapped.front()->offset));
  if (!valid.empty()) return pick_table(valid);
  if (!order_known) {
    refuse_unreadable(swapped);
    if (valid_swapped.empty()) return std::nullopt;
    return pick_table(valid_swapped);
  }
  if (!valid_swapped.empty())
    fail(ErrorKind::malformed, valid_swapped.front()->offset,
         fmt::format("table magic is byte-swapped: the table is stored {} but the file is {}",
                     name(other(order)), name(order)));
  return std::nullopt;
}

}  // namespace

std::optional<LocatedTable> scan_for_table(const std::vector<ScanRegion>& regions, ByteOrder order,
                                           bool order_known, TableFormats formats) {
  return scan_in_order(regions, find_magics(regions), order, order_known, formats);
}

}  // namespace lucompat
