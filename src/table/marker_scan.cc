#include "lucompat/table/marker_scan.h"

#include <algorithm>
#include <cstring>

#include "lucompat/table/table_format.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lucompat {
namespace {

using namespace std::string_view_literals;

constexpr size_t kLongest = kLongestMarker;

// The registry's table magic as stored in each byte order: "PUVL" and "LVUP"
// for the RFC's. The filters below test a position's first and fourth bytes,
// which are each other's in the two orders.
struct TableMarkers {
  char le[4];
  char be[4];
  std::string_view little() const { return {le, 4}; }
  std::string_view big() const { return {be, 4}; }
};

const TableMarkers& table_markers() {
  static const TableMarkers m = [] {
    TableMarkers t{};
    const uint32_t magic = table_magic();
    for (int i = 0; i < 4; ++i) {
      t.le[i] = static_cast<char>((magic >> (8 * i)) & 0xff);
      t.be[3 - i] = t.le[i];
    }
    return t;
  }();
  return m;
}

void check_at(const std::byte* base, size_t size, size_t i, std::vector<MarkerHit>& out) {
  const std::string_view rest(reinterpret_cast<const char*>(base) + i, size - i);
  const TableMarkers& m = table_markers();
  if (rest.starts_with(m.little()))
    out.push_back({i, Marker::table_le});
  else if (rest.starts_with(m.big()))
    out.push_back({i, Marker::table_be});
  else if (rest.starts_with(kBannerPrefix))
    out.push_back({i, Marker::banner});
}

// Filters 16 positions at a time by each marker's first and fourth bytes (and
// the banner's first and last), then confirms the few survivors; the
// compiler maps the vectors to SSE2 on x86-64 and NEON on arm64. A cheaper
// filter (first ^ fourth == 'P' ^ 'L') let through so many code bytes that
// it was slower; 64-lane generic vectors, compiled by GCC 12 for AVX-512,
// ran 50 times slower. Returns where it stopped; the caller finishes byte by
// byte.
size_t scan_portable(const std::byte* p, size_t n, std::vector<MarkerHit>& out) {
  constexpr size_t W = 16;
  typedef uint8_t Lanes __attribute__((vector_size(W)));
  const TableMarkers& t = table_markers();
  const Lanes P = Lanes{} + static_cast<uint8_t>(t.le[0]),
              L = Lanes{} + static_cast<uint8_t>(t.le[3]);
  const Lanes B = Lanes{} + static_cast<uint8_t>(kBannerPrefix[0]), space = Lanes{} + ' ';
  size_t i = 0;
  for (; i + W + kLongest <= n; i += W) {
    Lanes first, fourth, last;
    std::memcpy(&first, p + i, W);
    std::memcpy(&fourth, p + i + 3, W);
    std::memcpy(&last, p + i + kLongest - 1, W);
    const Lanes m = ((first == P) & (fourth == L)) | ((first == L) & (fourth == P)) |
                    ((first == B) & (last == space));
    uint64_t words[W / 8];
    std::memcpy(words, &m, sizeof words);
    uint64_t any = 0;
    for (uint64_t w : words) any |= w;
    if (any == 0) continue;
    for (size_t k = 0; k < W; ++k)
      if (m[k] != 0) check_at(p, n, i + k, out);
  }
  return i;
}

#if defined(__x86_64__) && defined(__GNUC__)
// Out of line, so that the loop below keeps its constants in registers.
[[gnu::noinline]] void check_bits(const std::byte* p, size_t n, size_t at, uint64_t bits,
                                  std::vector<MarkerHit>& out) {
  for (; bits != 0; bits &= bits - 1)
    check_at(p, n, at + static_cast<size_t>(__builtin_ctzll(bits)), out);
}

// The same filter with AVX2 intrinsics, 64 positions per step: the generic
// vectors spilled their constants and reduced through memory, at half this
// speed.
__attribute__((target("avx2"), always_inline)) inline __m256i load_avx2(const std::byte* q) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
}

// P and L: the magic's first and fourth bytes stored little-endian; B: the banner's first.
struct Avx2Bytes {
  __m256i P, L, B, space;
};

__attribute__((target("avx2"), always_inline)) inline __m256i filter_avx2(const std::byte* at,
                                                                          const Avx2Bytes& c) {
  const __m256i first = load_avx2(at), fourth = load_avx2(at + 3),
                last = load_avx2(at + kLongest - 1);
  const __m256i first_l = _mm256_cmpeq_epi8(first, c.L);
  const __m256i table = _mm256_or_si256(
      _mm256_and_si256(_mm256_cmpeq_epi8(first, c.P), _mm256_cmpeq_epi8(fourth, c.L)),
      _mm256_and_si256(first_l, _mm256_cmpeq_epi8(fourth, c.P)));
  return _mm256_or_si256(
      table, _mm256_and_si256(_mm256_cmpeq_epi8(first, c.B), _mm256_cmpeq_epi8(last, c.space)));
}

__attribute__((target("avx2"))) size_t scan_avx2(const std::byte* p, size_t n,
                                                 std::vector<MarkerHit>& out) {
  const TableMarkers& t = table_markers();
  const Avx2Bytes c{_mm256_set1_epi8(t.le[0]), _mm256_set1_epi8(t.le[3]),
                    _mm256_set1_epi8(kBannerPrefix[0]), _mm256_set1_epi8(' ')};
  size_t i = 0;
  for (; i + 64 + kLongest <= n; i += 64) {
    const __m256i a = filter_avx2(p + i, c), b = filter_avx2(p + i + 32, c);
    const __m256i any = _mm256_or_si256(a, b);
    if (_mm256_testz_si256(any, any)) continue;
    const uint64_t bits = static_cast<uint32_t>(_mm256_movemask_epi8(a)) |
                          uint64_t{static_cast<uint32_t>(_mm256_movemask_epi8(b))} << 32;
    check_bits(p, n, i, bits, out);
  }
  return i;
}
#endif

using ScanFn = size_t (*)(const std::byte*, size_t, std::vector<MarkerHit>&);

ScanFn pick_scan() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return &scan_avx2;
#endif
  return &scan_portable;
}

}  // namespace

std::string_view marker_bytes(Marker m) {
  switch (m) {
    case Marker::table_le:
      return table_markers().little();
    case Marker::table_be:
      return table_markers().big();
    case Marker::banner:
      return kBannerPrefix;
  }
  return {};
}

bool visit_markers(Bytes text, const std::function<bool(const MarkerHit&)>& visit) {
  constexpr size_t kWindow = size_t{1} << 20;
  std::vector<MarkerHit> hits;
  for (size_t at = 0; at < text.size(); at += kWindow) {
    // A marker that starts in this window may end in the next one.
    const size_t size = std::min(text.size() - at, kWindow + kLongest - 1);
    hits.clear();
    find_markers(text.subspan(at, size), hits);
    for (MarkerHit h : hits) {
      if (h.offset >= kWindow) break;  // the next window reports it
      h.offset += at;
      if (!visit(h)) return false;
    }
  }
  return true;
}

void find_markers(Bytes text, std::vector<MarkerHit>& out, ScanUnit unit) {
  static const ScanFn best = pick_scan();
  const ScanFn scan = unit == ScanUnit::best ? best : &scan_portable;
  size_t i = scan(text.data(), text.size(), out);
  for (; i < text.size(); ++i) check_at(text.data(), text.size(), i, out);
}

}  // namespace lucompat
