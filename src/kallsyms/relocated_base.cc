#include "kallsyms/relocated_base.h"

#include <algorithm>
#include <vector>

namespace lucompat {
namespace {

constexpr uint64_t kRelaSize = 24;
constexpr uint64_t kAarch64Relative = 1027;  // R_AARCH64_RELATIVE
constexpr uint64_t kRiscvRelative = 3;       // R_RISCV_RELATIVE
constexpr uint64_t kMinRun = 16;             // a few entries could be chance
constexpr uint64_t kLinkAlign = uint64_t{64} << 10;

struct Run {
  uint64_t begin = 0, count = 0;
};

bool relative_at(const ByteReader& r, uint64_t at, uint64_t type) {
  return r.contains(at, kRelaSize) && r.u64(at + 8, "r_info") == type;
}

// The longest array of RELATIVE entries of `type`.
Run longest_run(const ByteReader& r, uint64_t type) {
  Run best;
  for (uint64_t at = 0; at + kRelaSize <= r.size(); at += 8) {
    if (!relative_at(r, at, type)) continue;
    if (at >= kRelaSize && relative_at(r, at - kRelaSize, type)) continue;  // not a run's start
    Run run{at, 0};
    while (relative_at(r, at + run.count * kRelaSize, type)) ++run.count;
    if (run.count > best.count) best = run;
  }
  return best;
}

// Linked with --no-apply-dynamic-relocs, the image holds zero at the places
// RELATIVE relocations fill: true of the real link address only. Debian's
// arm64 6.1 has 12 of 187 633 places non-zero (patched at build time), a
// wrong link address almost all; so all but one in a thousand must be zero.
bool places_hold_zero(const ByteReader& r, const Run& run, uint64_t link) {
  uint64_t nonzero = 0;
  for (uint64_t i = 0; i < run.count; ++i) {
    const uint64_t place = r.u64(run.begin + i * kRelaSize, "r_offset") - link;
    if (!r.contains(place, 8) || r.u64(place, "relocated place") != 0) ++nonzero;
  }
  return nonzero <= run.count / 1000;
}

// s390x: R_390_RELATIVE and R_390_64.
constexpr uint64_t kS390Relative = 12;
constexpr uint64_t kS390Absolute = 22;
constexpr uint64_t kDtSymtab = 6, kDtRela = 7, kDtRelasz = 8, kDtRelaent = 9;
constexpr uint64_t kSymSize = 24;     // Elf64_Sym
constexpr uint64_t kMaxDynamic = 64;  // entries searched around DT_RELA for DT_SYMTAB

// With the relocations applied in the file, the image holds each RELATIVE
// entry's addend at its place: true of the real link address only. The
// first kMinRun entries are tried first, so that a wrong address costs
// little.
bool places_hold_addends(const ByteReader& r, const Run& run, uint64_t link) {
  const auto holds = [&](uint64_t i) {
    const uint64_t at = run.begin + i * kRelaSize;
    const uint64_t place = r.u64(at, "r_offset") - link;
    return r.contains(place, 8) && r.u64(place, "relocated place") == r.u64(at + 16, "r_addend");
  };
  for (uint64_t i = 0; i < kMinRun; ++i)
    if (!holds(i)) return false;
  uint64_t wrong = 0;
  for (uint64_t i = kMinRun; i < run.count; ++i) wrong += holds(i) ? 0 : 1;
  return wrong <= run.count / 1000;
}

// What .dynamic says of the RELA table and the symbols (link addresses).
struct Dynamic {
  uint64_t rela = 0, relasz = 0, symtab = 0;
};

// Every .dynamic in the image: DT_RELA, DT_RELASZ and DT_RELAENT 24 in a row,
// as the linker writes them, with DT_SYMTAB among the entries around them.
std::vector<Dynamic> dynamics(const ByteReader& r) {
  std::vector<Dynamic> out;
  for (uint64_t at = 0; at + 48 <= r.size(); at += 8) {
    if (r.u64(at, "d_tag") != kDtRela || r.u64(at + 16, "d_tag") != kDtRelasz ||
        r.u64(at + 32, "d_tag") != kDtRelaent || r.u64(at + 40, "d_val") != kRelaSize)
      continue;
    Dynamic d{r.u64(at + 8, "d_val"), r.u64(at + 24, "d_val"), 0};
    const uint64_t from = at >= 16 * kMaxDynamic ? at - 16 * kMaxDynamic : at % 16;
    for (uint64_t e = from; e + 16 <= r.size() && e < at + 16 * kMaxDynamic; e += 16)
      if (r.u64(e, "d_tag") == kDtSymtab) d.symtab = r.u64(e + 8, "d_val");
    if (d.symtab != 0) out.push_back(d);
  }
  return out;
}

// The link address of the image's first byte, when exactly one 4 KiB-aligned
// address puts the run's addends at its places.
std::optional<uint64_t> applied_link(const ByteReader& r, const Run& run) {
  std::optional<uint64_t> link;
  const uint64_t first = r.u64(run.begin, "r_offset");
  for (uint64_t l = first & ~uint64_t{0xfff}; first - l < r.size(); l -= 0x1000) {
    if (places_hold_addends(r, run, l)) {
      if (link) return std::nullopt;  // two: not proven
      link = l;
    }
    if (l == 0) break;
  }
  return link;
}

// The value the entry at `at` puts at its place: its addend, plus its
// symbol's value when it is symbolic.
std::optional<uint64_t> relocation_value(const ByteReader& r, uint64_t at, uint64_t link,
                                         const Dynamic& d) {
  const uint64_t info = r.u64(at + 8, "r_info");
  const uint64_t addend = r.u64(at + 16, "r_addend");
  if (info == kS390Relative) return addend;
  if ((info & 0xffffffff) != kS390Absolute || d.symtab < link) return std::nullopt;
  const uint64_t sym = d.symtab - link + (info >> 32) * kSymSize;
  if (!r.contains(sym, kSymSize) || r.u16(sym + 6, "st_shndx") == 0) return std::nullopt;
  return r.u64(sym + 8, "st_value") + addend;
}

}  // namespace

std::optional<uint64_t> applied_relocated_pointer(const ByteReader& r, uint64_t place) {
  const Run run = longest_run(r, kS390Relative);
  if (run.count < kMinRun) return std::nullopt;
  const auto link = applied_link(r, run);
  if (!link) return std::nullopt;
  // The table .dynamic names must hold the run.
  for (const Dynamic& d : dynamics(r)) {
    if (d.rela < *link || d.relasz % kRelaSize != 0) continue;
    const uint64_t start = d.rela - *link;
    if (start > run.begin || !r.contains(start, d.relasz) ||
        start + d.relasz < run.begin + run.count * kRelaSize)
      continue;
    for (uint64_t at = start; at < start + d.relasz; at += kRelaSize)
      if (r.u64(at, "r_offset") == *link + place) return relocation_value(r, at, *link, d);
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<uint64_t> relocated_pointer(const ByteReader& r, uint64_t place) {
  for (uint64_t type : {kAarch64Relative, kRiscvRelative}) {
    const Run run = longest_run(r, type);
    if (run.count < kMinRun) continue;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (uint64_t i = 0; i < run.count; ++i) {
      const uint64_t off = r.u64(run.begin + i * kRelaSize, "r_offset");
      lo = std::min(lo, off);
      hi = std::max(hi, off);
    }
    std::vector<uint64_t> addends;
    for (uint64_t i = 0; i < run.count; ++i) {
      const uint64_t at = run.begin + i * kRelaSize;
      const uint64_t off = r.u64(at, "r_offset");
      if (off < place) continue;
      const uint64_t link = off - place;
      const uint64_t addend = r.u64(at + 16, "r_addend");
      if (link % kLinkAlign != 0 || lo < link || hi - link >= r.size()) continue;
      if (addend < link || addend - link >= r.size()) continue;
      if (places_hold_zero(r, run, link)) addends.push_back(addend);
    }
    if (addends.size() == 1) return addends.front();
    if (!addends.empty()) return std::nullopt;  // more than one: not proven
  }
  return std::nullopt;
}

}  // namespace lucompat
