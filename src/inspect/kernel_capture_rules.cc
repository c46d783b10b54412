#include "lucompat/inspect/kernel_capture_rules.h"

#include <elf.h>

#include <algorithm>

#include "lucompat/elf/elf_header.h"
#include "lucompat/elf/elf_layout.h"
#include "lucompat/elf/elf_reader.h"
#include "lucompat/elf/elf_records.h"
#include "lucompat/identity/kernel_identity.h"
#include "lucompat/table/marker_scan.h"
#include "lucompat/table/table_format.h"

namespace lucompat {
namespace {

// A banner line is shorter; the rest of the window costs nothing.
constexpr uint64_t kBannerSpan = 1024;
// objcopy and ld put the section name table right before the section headers.
constexpr uint64_t kNamesWindow = uint64_t{1} << 20;
// The most of one note segment kept: a kernel's are a few hundred bytes.
constexpr uint64_t kMaxNotes = uint64_t{4} << 20;

// After a table magic: the largest table any registered format allows.
uint64_t table_span() {
  static const uint64_t span = max_table_size();
  return span;
}

// Where a linked file ends by its headers; 0 for an object file, or when
// its headers lie past the first piece.
uint64_t linked_end(const ElfFileHeader& h, Bytes head) {
  if (h.type == ET_REL) return 0;
  try {
    return declared_extent(head);
  } catch (const ParseError&) {
    return 0;
  }
}

class KernelCaptureRules final : public CaptureRules {
 public:
  bool is_file(Bytes head) const override { return is_elf(head); }

  std::optional<FilePlan> plan_file(Bytes head) const override {
    ElfFileHeader h;
    try {
      h = read_file_header(head);
    } catch (const ParseError&) {
      return std::nullopt;  // the ELF reader says what is wrong, with the whole file
    }
    FilePlan plan;
    plan.index = {h.phoff, uint64_t{h.phentsize} * h.phnum};
    plan.keep.push_back(plan.index);
    plan.tables_at = h.shoff;
    plan.linked_end = linked_end(h, head);
    if (h.shoff != 0) {
      const uint64_t names = h.shoff > kNamesWindow ? h.shoff - kNamesWindow : 0;
      plan.keep.push_back({names, h.shoff - names});
      plan.keep.push_back({h.shoff, std::max<uint64_t>(uint64_t{h.shentsize} * h.shnum, 64)});
    }
    return plan;
  }

  // The notes, and with them the end of the loadable segment that holds
  // them: the table lives in RO_DATA, which the linker puts in the same
  // segment as the notes, and the program headers come first in the
  // stream, so past that end every byte the table, the banner and the build
  // ID can occupy has gone by.
  IndexPlan plan_index(Bytes data, const FilePlan& plan) const override {
    // plan_file() read this header from the same bytes: it reads again.
    const ElfFileHeader h = read_file_header(data);
    // Entries of another size: the ELF reader names the error, with the whole file.
    if (h.phentsize < program_header_size(h.elf_class) || h.phnum == 0) return {};
    const ByteReader r(data, h.order);
    IndexPlan more;
    std::vector<ByteRange> loads, notes;
    for (uint64_t i = 0; i < h.phnum; ++i) {
      const ElfProgramHeader p =
          read_program_header(r, h.elf_class, plan.index.offset, h.phentsize, i);
      if (p.type != PT_NOTE && p.type != PT_LOAD) continue;
      (p.type == PT_NOTE ? notes : loads).push_back({p.offset, p.filesz});
      if (p.type == PT_NOTE) more.keep.push_back({p.offset, std::min(p.filesz, kMaxNotes)});
    }
    if (notes.empty()) return more;
    const ByteRange& note = notes.front();
    for (const ByteRange& load : loads)
      if (load.offset <= note.offset && note.offset - load.offset <= load.size &&
          note.size <= load.size - (note.offset - load.offset))
        more.stop_at = load.size > UINT64_MAX - load.offset ? UINT64_MAX : load.offset + load.size;
    more.stop_after = "the segment that holds the notes and the table";
    return more;
  }

  std::vector<ByteRange> missing(Bytes file, const Covered& covered) const override {
    return elf_ranges_missing(file, covered);
  }

  const MarkerShape& markers() const override {
    static const MarkerShape shape{kLongestMarker, std::max(table_span(), kBannerSpan),
                                   kMaxMarkerCandidates, "table or banner"};
    return shape;
  }

  void find_markers(Bytes raw, std::vector<MarkerFound>& out) const override {
    // Reused by each thread's captures: a chunk is scanned twice per 64 KiB.
    thread_local std::vector<MarkerHit> hits;
    hits.clear();
    lucompat::find_markers(raw, hits);
    for (const MarkerHit& h : hits)
      out.push_back({h.offset, marker_bytes(h.marker).size(),
                     h.marker == Marker::banner ? kBannerSpan : table_span()});
  }

  bool is_payload(Bytes data) const override {
    return is_elf(data) || find_banner(data).has_value();
  }

  bool holds_content(Bytes data) const override {
    return !visit_markers(data, [](const MarkerHit& h) { return h.marker == Marker::banner; });
  }
};

}  // namespace

const CaptureRules& kernel_capture_rules() {
  static const KernelCaptureRules rules;
  return rules;
}

}  // namespace lucompat
