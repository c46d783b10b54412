#include "kallsyms/search.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "kallsyms/table_layout.h"

namespace lucompat {
namespace {

struct Markers {
  uint64_t at = 0;
  uint64_t count = 0;            // K: one per 256 symbols
  uint32_t last = 0;             // names offset of symbol 256 * (K - 1)
  std::optional<uint64_t> seqs;  // 6.1: kallsyms_seqs_of_names between them and the token table
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
  if (!r.contains(from, to - from)) return false;
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
  uint64_t num_syms = 0, names = 0;
  DecodedNames decoded;
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
    auto d = read_names(r, s, n, tokens, limits);
    if (!d || !match_markers(r, m.at, *d)) continue;
    out.push_back({at, s, std::move(*d)});
  }
  return out;
}

// The address tables that may go with these names: before num_syms (up to
// 6.1) or after the token index (later), each read every way its place
// allows.
FoundTables find_addresses(const ReadingContext& c, const Names& n, const Markers& m,
                           const TokenTable& tokens) {
  FoundTables out;
  KallsymsLocation base_loc;
  base_loc.num_syms = n.num_syms;
  base_loc.names = n.names;
  base_loc.markers = m.at;
  base_loc.token_table = tokens.table;
  base_loc.token_index = tokens.index;
  const uint64_t count = n.decoded.size();
  const uint64_t w = static_cast<uint64_t>(c.pointer_size);
  std::vector<PlacedReading> fits;
  const auto read = [&](KallsymsLocation l, std::optional<KallsymsAddressing> only) {
    Readings r = read_address_table(c, l, only);
    for (AddressReading& a : r.fits) fits.emplace_back(l, std::move(a));
    for (Misfit& e : r.misfits) out.misfits.push_back(std::move(e));
  };
  // Up to 6.1 every label is aligned to the pointer size (ALGN): offsets,
  // relative_base, num_syms; or addresses, num_syms.
  base_loc.seqs_of_names = m.seqs;
  if (n.num_syms >= w) {
    const uint64_t base = n.num_syms - w;
    const uint64_t size = align_up(4 * count, w);
    if (base >= size) {
      KallsymsLocation l = base_loc;
      l.addresses = base - size;
      l.relative_base = base;
      read(l, std::nullopt);
    }
  }
  if (n.num_syms >= w * count) {
    KallsymsLocation l = base_loc;
    l.addresses = n.num_syms - w * count;
    read(l, KallsymsAddressing::absolute);
  }
  // Later: the address table right after the 512-byte token index (every
  // label there is aligned, so no padding), then kallsyms_relative_base
  // (6.x) and kallsyms_seqs_of_names.
  const uint64_t after = tokens.index + 512;
  {
    KallsymsLocation l = base_loc;
    l.addresses = after;
    l.relative_base = align_up(after + 4 * count, w);
    l.seqs_of_names = seqs_at(c.image, *l.relative_base + w, count);
    read(l, std::nullopt);
  }
  for (const auto& [mode, size] : {std::pair{KallsymsAddressing::absolute, w},
                                   std::pair{KallsymsAddressing::place_relative, uint64_t{4}}}) {
    KallsymsLocation l = base_loc;
    l.addresses = after;
    l.seqs_of_names = seqs_at(c.image, after + size * count, count);
    read(l, mode);
  }
  out.readings = preferred(std::move(fits));
  return out;
}

// The places below the token table at `t` where kallsyms_markers may
// start, and what the search asks at every place, answered without a
// bounds check each (all of it lies before the token table, inside the
// image): a u32 there, and how many zero bytes end right before t.
struct MarkerPlaces {
  MarkerPlaces(const ByteReader& reader, uint64_t token_table, const KallsymsLimits& limits)
      : r(reader), t(token_table), image(reader.data().data()) {
    while (zeros_before < kMaxPadding && zeros_before < t &&
           image[t - 1 - zeros_before] == std::byte{0})
      ++zeros_before;
    last_k = std::min((limits.max_symbols + 255) / 256, t / 4);
    // Where markers of two or more entries may start (plausible_markers'
    // first checks: a 0, then at least 512), one bit per 4-aligned place
    // below t that the search can reach, found in one pass: the places are
    // then visited by these bits, not one by one for every count.
    base = (t - std::min(t, (3 * 256 + 4) * last_k + 2 * kMaxPadding)) & ~uint64_t{3};
    starts.resize((t - base) / 4 / 64 + 1);
    for (uint64_t p = base; p + 8 <= t; p += 4)
      if (u32_at(p) == 0 && u32_at(p + 4) >= 512)
        starts[(p - base) / 4 / 64] |= uint64_t{1} << ((p - base) / 4 % 64);
  }

  uint32_t u32_at(uint64_t at) const { return load<uint32_t>(image + at, r.order()); }

  // f(p) for each place p in [from, to] where markers of two or more may start.
  template <typename F>
  void each_start(uint64_t from, uint64_t to, F&& f) const {
    if (to < from) return;
    for (uint64_t w = (from - base) / 256; w <= (to - base) / 256; ++w)
      for (uint64_t bits = starts[w]; bits != 0; bits &= bits - 1) {
        const uint64_t p = base + 256 * w + 4 * static_cast<uint64_t>(std::countr_zero(bits));
        if (p >= from && p <= to) f(p);
      }
  }

  const ByteReader& r;
  uint64_t t;
  const std::byte* image;
  uint64_t zeros_before = 0;
  uint64_t last_k = 0;  // the most markers the limits allow below t
  uint64_t base = 0;
  std::vector<uint64_t> starts;
};

// k markers at p, then kallsyms_seqs_of_names for n symbols at s.
struct SeqsCandidate {
  uint64_t n, s, pad, p;
};

// Markers, then kallsyms_seqs_of_names (3 bytes a symbol, 6.1), then the
// token table; each label aligned, so padding of under 8 bytes. Every count
// n of k markers' range puts the seqs at a 4-aligned s with
// t - 3n - 8 < s <= t - 3n, and the markers 4k (+ padding) before it. The
// candidates are gathered by place, then ordered by count, place and
// padding, as the layout is read outward from t.
std::vector<SeqsCandidate> seqs_candidates(const ByteReader& r, const MarkerPlaces& places,
                                           uint64_t k, const KallsymsLimits& limits) {
  const uint64_t t = places.t;
  const uint64_t lo = 256 * (k - 1) + 1, hi = 256 * k;
  std::vector<SeqsCandidate> found;
  if (3 * lo + 4 * k > t) return found;
  const uint64_t top = (t - 3 * lo) & ~uint64_t{3};
  const uint64_t bottom =
      std::max(4 * k, t + 1 > 3 * hi + kMaxPadding ? t + 1 - 3 * hi - kMaxPadding : 0);
  const auto at = [&](uint64_t p, uint64_t pad) {
    const uint64_t s = p + 4 * k + pad;
    if (s > top || s < bottom || s % 4 != 0) return;
    // The counts this place fits, with zeros from the seqs' end to t.
    const uint64_t most = std::min(hi, (t - s) / 3);
    uint64_t least = std::max(lo, t - s >= kMaxPadding ? (t - s - kMaxPadding) / 3 + 1 : 0);
    while (least <= most && t - 3 * least - s > places.zeros_before) ++least;
    if (least > most || !zeros(r, p + 4 * k, s) || !plausible_markers(r, p, k, limits)) return;
    for (uint64_t n = least; n <= most; ++n)
      if (3 * n + 4 * k <= t && plausible_seqs(r, s, n)) found.push_back({n, s, pad, p});
  };
  for (uint64_t pad = 0; pad < kMaxPadding; pad += 4) {
    if (top < 4 * k + pad) continue;
    const uint64_t from = bottom < 4 * k + pad ? 0 : bottom - 4 * k - pad;
    const uint64_t to = top - 4 * k - pad;
    if (k == 1) {  // a single marker: any zero
      for (uint64_t p = from & ~uint64_t{3}; p <= to; p += 4)
        if (places.u32_at(p) == 0) at(p, pad);
    } else {
      places.each_start(std::max(from, places.base), to, [&](uint64_t p) { at(p, pad); });
    }
  }
  std::sort(found.begin(), found.end(), [](const SeqsCandidate& a, const SeqsCandidate& b) {
    if (a.n != b.n) return a.n < b.n;
    if (a.s != b.s) return a.s > b.s;
    return a.pad < b.pad;
  });
  return found;
}

}  // namespace

std::vector<FoundTables> search_tables(const ByteReader& r, const TokenTable& tokens,
                                       const AddressSpace& space, int ptr,
                                       const KallsymsLimits& limits) {
  std::vector<FoundTables> out;
  const uint64_t t = tokens.table;
  const auto consider = [&](uint64_t p, uint64_t k, uint64_t lo, uint64_t hi,
                            std::optional<uint64_t> seqs) {
    if (!plausible_markers(r, p, k, limits)) return;
    const Markers m{p, k, r.u32(p + 4 * (k - 1), "marker"), seqs};
    for (Names& n : find_names(r, m, lo, hi, tokens, limits)) {
      const ReadingContext c{r, n.decoded, ptr, space};
      FoundTables f = find_addresses(c, n, m, tokens);
      f.names = std::move(n.decoded);
      out.push_back(std::move(f));
    }
  };
  const MarkerPlaces places(r, t, limits);
  for (uint64_t k = 1; k <= places.last_k; ++k) {
    const uint64_t lo = 256 * (k - 1) + 1, hi = 256 * k;
    // Markers right before the token table.
    for (uint64_t pad = 0; pad < kMaxPadding; pad += 4) {
      if (t < 4 * k + pad) break;
      const uint64_t p = t - 4 * k - pad;
      if (zeros(r, p + 4 * k, t)) consider(p, k, lo, hi, std::nullopt);
    }
    for (const SeqsCandidate& c : seqs_candidates(r, places, k, limits))
      consider(c.p, k, c.n, c.n, c.s);
  }
  return out;
}

}  // namespace lucompat
