#include "container/marker_scan.h"

#include <cstring>

namespace lucompat {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view kTableLe = "PUVL"sv, kTableBe = "LVUP"sv, kBanner = "Linux version "sv;
constexpr size_t kLongest = kBanner.size();

void check_at(const std::byte* base, size_t size, size_t i, std::vector<MarkerHit>& out) {
  const std::string_view rest(reinterpret_cast<const char*>(base) + i, size - i);
  if (rest.starts_with(kTableLe)) out.push_back({i, Marker::table_le});
  else if (rest.starts_with(kTableBe)) out.push_back({i, Marker::table_be});
  else if (rest.starts_with(kBanner)) out.push_back({i, Marker::banner});
}

// Filters W positions at a time by each marker's first and fourth bytes (and
// the banner's first and last), then confirms the few survivors. A cheaper
// filter (first ^ fourth == 'P' ^ 'L') let through so many code bytes that
// it was slower. Returns where it stopped; the caller finishes byte by byte.
// Inlined into each caller below, so it compiles to that caller's vector
// unit (a 64-lane AVX-512 variant compiled by GCC 12 ran 50 times slower).
template <size_t W> struct LanesOf;
template <> struct LanesOf<16> { typedef uint8_t type __attribute__((vector_size(16))); };
template <> struct LanesOf<32> { typedef uint8_t type __attribute__((vector_size(32))); };

template <size_t W>
[[gnu::always_inline]] inline size_t scan_lanes(const std::byte* p, size_t n,
                                                std::vector<MarkerHit>& out) {
  using Lanes = typename LanesOf<W>::type;
  const Lanes P = Lanes{} + 'P', L = Lanes{} + 'L', space = Lanes{} + ' ';
  size_t i = 0;
  for (; i + W + kLongest <= n; i += W) {
    Lanes first, fourth, last;
    std::memcpy(&first, p + i, W);
    std::memcpy(&fourth, p + i + 3, W);
    std::memcpy(&last, p + i + kLongest - 1, W);
    const Lanes m = ((first == P) & (fourth == L)) | ((first == L) & ((fourth == P) | (last == space)));
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

size_t scan_portable(const std::byte* p, size_t n, std::vector<MarkerHit>& out) {
  return scan_lanes<16>(p, n, out);  // SSE2 on x86-64, NEON on arm64
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) size_t scan_avx2(const std::byte* p, size_t n,
                                                 std::vector<MarkerHit>& out) {
  return scan_lanes<32>(p, n, out);
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
    case Marker::table_le: return kTableLe;
    case Marker::table_be: return kTableBe;
    case Marker::banner: return kBanner;
  }
  return {};
}

void find_markers(Bytes text, std::vector<MarkerHit>& out) {
  static const ScanFn scan = pick_scan();
  size_t i = scan(text.data(), text.size(), out);
  for (; i < text.size(); ++i) check_at(text.data(), text.size(), i, out);
}

}  // namespace lucompat
