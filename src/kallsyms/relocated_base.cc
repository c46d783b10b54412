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

}  // namespace

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
