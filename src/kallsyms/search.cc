#include "kallsyms/search.h"

#include <fmt/format.h>

#include <algorithm>

#include "kallsyms/addresses.h"
#include "kallsyms/names.h"

namespace lucompat {
namespace {

constexpr uint64_t kMaxPadding = 8;  // labels are aligned to at most 8 bytes

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

struct Markers {
  uint64_t at = 0;
  uint64_t count = 0;  // K: one per 256 symbols
  uint32_t last = 0;   // names offset of symbol 256 * (K - 1)
};

// K markers at `p`: 0 first, then increasing by at least two bytes a symbol
// (a length and a token) and at most a length and max_name tokens.
bool plausible_markers(const ByteReader& r, uint64_t p, uint64_t k, const KallsymsLimits& l) {
  if (!r.contains(p, 4 * k) || r.u32(p, "marker") != 0) return false;
  uint64_t prev = 0;
  for (uint64_t i = 1; i < k; ++i) {
    const uint64_t m = r.u32(p + uint64_t{4} * i, "marker");
    if (m < prev + uint64_t{2} * 256 || m - prev > uint64_t{256} * (2 + l.max_name)) return false;
    prev = m;
  }
  return true;
}

bool zeros(const ByteReader& r, uint64_t from, uint64_t to) {
  for (uint64_t p = from; p < to; ++p)
    if (r.u8(p, "padding") != 0) return false;
  return true;
}

// kallsyms_seqs_of_names: N three-byte big-endian symbol numbers below N.
bool plausible_seqs(const ByteReader& r, uint64_t at, uint64_t n) {
  if (!r.contains(at, 3 * n)) return false;
  const Bytes b = r.bytes(at, 3 * n, "kallsyms_seqs_of_names");
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t v = (uint64_t{static_cast<uint8_t>(b[3 * i])} << 16) |
                       (uint64_t{static_cast<uint8_t>(b[3 * i + 1])} << 8) |
                       static_cast<uint8_t>(b[3 * i + 2]);
    if (v >= n) return false;
  }
  return true;
}

struct Names {
  uint64_t num_syms = 0, names = 0, count = 0;
};

// The kallsyms_num_syms and kallsyms_names that end at the markers `m`,
// with a symbol count in [lo, hi].
std::vector<Names> find_names(const ByteReader& r, const Markers& m, uint64_t lo, uint64_t hi,
                              const TokenTable& tokens, const KallsymsLimits& limits) {
  std::vector<Names> out;
  const uint64_t tail_min = 2 * (lo - 256 * (m.count - 1));
  const uint64_t tail_max = (2 + limits.max_name) * (hi - 256 * (m.count - 1)) + kMaxPadding;
  if (m.at < uint64_t{m.last} + tail_min) return out;
  const uint64_t first = m.at - m.last - tail_min;
  const uint64_t last = m.at > m.last + tail_max + 8 ? m.at - m.last - tail_max : 8;
  for (uint64_t s = first & ~uint64_t{3}; s >= last && s >= 4; s -= 4) {
    // num_syms is a u32 right before the names, or 8 bytes before them
    // when the labels are 8-aligned.
    uint64_t at = s - 4;
    uint64_t n = r.u32(at, "kallsyms_num_syms");
    if (n == 0 && s >= 8) n = r.u32(at = s - 8, "kallsyms_num_syms");
    if (n < lo || n > hi) continue;
    try {
      const DecodedNames d = decode_names(r, s, n, tokens, limits);
      check_markers(r, m.at, d);
      out.push_back({at, s, n});
    } catch (const ParseError&) {
      // Not the names; the scan goes on.
    }
  }
  return out;
}

bool nondegenerate(const std::vector<uint64_t>& a) { return a.size() < 2 || a.back() > a.front(); }

// The address arrays that fit these names: before num_syms (up to 6.1) or
// after the token index (later), relative or absolute.
std::vector<KallsymsLocation> find_addresses(const ByteReader& r, const Names& n,
                                             const TokenTable& tokens, int ptr) {
  std::vector<KallsymsLocation> out;
  KallsymsLocation base_loc;
  base_loc.num_syms = n.num_syms;
  base_loc.names = n.names;
  base_loc.token_table = tokens.table;
  base_loc.token_index = tokens.index;
  const uint64_t w = static_cast<uint64_t>(ptr);
  // scripts/kallsyms.c takes relative_base from the first symbol that is not
  // absolute, so its offset is 0 (or -1 with KALLSYMS_ABSOLUTE_PERCPU). With
  // 4-byte pointers, a relative table read as absolute addresses one word
  // on also sorts; this anchor tells the true reading.
  bool anchored = false;
  std::vector<KallsymsLocation> zero_base;
  const auto try_relative = [&](uint64_t offsets, uint64_t base) {
    if (!r.contains(offsets, 4 * n.count) || !r.contains(base, w)) return;
    try {
      const std::vector<int32_t> o = read_offsets(r, offsets, n.count);
      const uint64_t b = read_pointer(r, base, ptr, "kallsyms_relative_base");
      if (b == 0) {
        // A PIE kernel's base, filled at boot; or just a zero word. Kept
        // only if nothing else fits, so the decoder says which.
        KallsymsLocation l = base_loc;
        l.addresses = offsets;
        l.relative_base = base;
        zero_base.push_back(l);
        return;
      }
      const KallsymsAddressing mode = choose_relative_mode(o, b, ptr, offsets);
      const auto a = relative_addresses(o, b, mode, ptr);
      if (!a || !nondegenerate(*a)) return;
      const auto first = std::find_if(o.begin(), o.end(), [&](int32_t v) {
        return mode == KallsymsAddressing::relative || v < 0;
      });
      anchored |= first != o.end() && *first == (mode == KallsymsAddressing::relative ? 0 : -1);
      KallsymsLocation l = base_loc;
      l.addresses = offsets;
      l.relative_base = base;
      out.push_back(l);
    } catch (const ParseError&) {
    }
  };
  std::vector<KallsymsLocation> absolute;
  const auto try_absolute = [&](uint64_t at) {
    if (!r.contains(at, w * n.count)) return;
    try {
      const auto a = read_absolute(r, at, n.count, ptr);
      if (!nondegenerate(a) || a.front() == 0) return;
      KallsymsLocation l = base_loc;
      l.addresses = at;
      absolute.push_back(l);
    } catch (const ParseError&) {
    }
  };
  // Every label is aligned to the pointer size (ALGN in scripts/kallsyms.c).
  // Up to 6.1: offsets, relative_base, num_syms; or addresses, num_syms.
  if (n.num_syms >= w) {
    const uint64_t base = n.num_syms - w;
    const uint64_t size = align_up(4 * n.count, w);
    if (base >= size) try_relative(base - size, base);
    if (n.num_syms >= w * n.count) try_absolute(n.num_syms - w * n.count);
  }
  // Later: token_index, then offsets and relative_base (or addresses).
  const uint64_t after = align_up(tokens.index + 512, w);
  try_relative(after, align_up(after + 4 * n.count, w));
  try_absolute(after);
  if (!anchored) out.insert(out.end(), absolute.begin(), absolute.end());
  if (out.empty()) out = std::move(zero_base);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.addresses, a.relative_base) < std::tie(b.addresses, b.relative_base);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& a, const auto& b) {
                          return a.addresses == b.addresses && a.relative_base == b.relative_base;
                        }),
            out.end());
  return out;
}

}  // namespace

std::vector<KallsymsLocation> search_tables(const ByteReader& r, const TokenTable& tokens, int ptr,
                                            const KallsymsLimits& limits) {
  std::vector<KallsymsLocation> out;
  const uint64_t t = tokens.table;
  const auto consider = [&](uint64_t p, uint64_t k, uint64_t lo, uint64_t hi) {
    if (!plausible_markers(r, p, k, limits)) return;
    const Markers m{p, k, r.u32(p + 4 * (k - 1), "marker")};
    for (const Names& n : find_names(r, m, lo, hi, tokens, limits))
      for (KallsymsLocation l : find_addresses(r, n, tokens, ptr)) {
        l.markers = p;
        out.push_back(l);
      }
  };
  const uint64_t max_k = (limits.max_symbols + 255) / 256;
  for (uint64_t k = 1; k <= max_k && 4 * k <= t; ++k) {
    const uint64_t lo = 256 * (k - 1) + 1, hi = 256 * k;
    // Markers right before the token table.
    for (uint64_t pad = 0; pad < kMaxPadding; pad += 4) {
      if (t < 4 * k + pad) break;
      const uint64_t p = t - 4 * k - pad;
      if (zeros(r, p + 4 * k, t)) consider(p, k, lo, hi);
    }
    // Markers, then kallsyms_seqs_of_names (3 bytes a symbol, 6.1), then
    // the token table; each label aligned, so padding of under 8 bytes.
    for (uint64_t n = lo; n <= hi && 3 * n + 4 * k <= t; ++n)
      for (uint64_t s = (t - 3 * n) & ~uint64_t{3}; s + kMaxPadding > t - 3 * n && s >= 4 * k;
           s -= 4)
        for (uint64_t pad = 0; pad < kMaxPadding && s >= 4 * k + pad; pad += 4) {
          const uint64_t p = s - 4 * k - pad;
          if (r.u32(p, "marker") != 0 || !zeros(r, s + 3 * n, t) || !zeros(r, p + 4 * k, s))
            continue;
          if (plausible_markers(r, p, k, limits) && plausible_seqs(r, s, n)) consider(p, k, n, n);
        }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.names, a.addresses, a.markers) < std::tie(b.names, b.addresses, b.markers);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& a, const auto& b) {
                          return a.names == b.names && a.addresses == b.addresses &&
                                 a.markers == b.markers && a.relative_base == b.relative_base;
                        }),
            out.end());
  return out;
}

}  // namespace lucompat
