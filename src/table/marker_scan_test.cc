#include "lucompat/table/marker_scan.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace lucompat {
namespace {

std::vector<MarkerHit> naive(std::string_view text) {
  std::vector<MarkerHit> out;
  for (size_t i = 0; i < text.size(); ++i)
    for (Marker m : {Marker::table_le, Marker::table_be, Marker::banner})
      if (text.substr(i).starts_with(marker_bytes(m))) out.push_back({i, m});
  return out;
}

std::vector<MarkerHit> fast(std::string_view text, ScanUnit unit = ScanUnit::best) {
  std::vector<MarkerHit> out;
  find_markers(as_bytes(text), out, unit);
  return out;
}

void expect_same(std::string_view text) {
  const auto a = naive(text);
  for (ScanUnit unit : {ScanUnit::best, ScanUnit::portable}) {
    const auto b = fast(text, unit);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].offset, b[i].offset);
      EXPECT_EQ(a[i].marker, b[i].marker);
    }
  }
}

TEST(MarkerScan, FindsEachMarkerAtEveryOffsetAndLength) {
  for (Marker m : {Marker::table_le, Marker::table_be, Marker::banner})
    for (size_t len = 0; len < 80; ++len)
      for (size_t at = 0; at + marker_bytes(m).size() <= len; ++at) {
        std::string text(len, 'x');
        text.replace(at, marker_bytes(m).size(), marker_bytes(m));
        for (ScanUnit unit : {ScanUnit::best, ScanUnit::portable}) {
          const auto hits = fast(text, unit);
          ASSERT_EQ(hits.size(), 1u) << "len " << len << " at " << at;
          EXPECT_EQ(hits[0].offset, at);
          EXPECT_EQ(hits[0].marker, m);
        }
      }
}

TEST(MarkerScan, IgnoresNearMissesAndCutMarkers) {
  EXPECT_TRUE(fast("PUV LVU Linux versio Linux_version PUV").empty());
  EXPECT_TRUE(fast(std::string(40, 'x') + "Linux version").empty());  // no trailing space
  EXPECT_TRUE(fast(std::string(40, 'x') + "PUV").empty());
}

TEST(MarkerScan, AgreesWithANaiveSearchOnDenseText) {
  // Text made of the markers' own letters, so that the filter's first and
  // fourth bytes match often and overlapping markers occur.
  std::mt19937 rng(7);
  const std::string alphabet = "PUVL Linux version";
  for (int round = 0; round < 200; ++round) {
    std::string text(1 + rng() % 600, ' ');
    for (auto& c : text) c = alphabet[rng() % alphabet.size()];
    for (int k = 0; k < 3; ++k) {
      const auto m = static_cast<Marker>(rng() % 3);
      const auto bytes = marker_bytes(m);
      if (text.size() >= bytes.size())
        text.replace(rng() % (text.size() - bytes.size() + 1), bytes.size(), bytes);
    }
    expect_same(text);
  }
}

TEST(MarkerScan, VisitingAWindowAtATimeFindsWhatOneScanFinds) {
  // Markers on both sides of and across the 1 MiB window seams, each once.
  std::string text(3u << 20, 'x');
  for (size_t seam : {size_t{1} << 20, size_t{2} << 20})
    for (size_t back : {14, 13, 7, 3, 1, 0}) {
      const std::string_view m = back % 2 ? "Linux version " : "PUVL";
      text.replace(seam - back, m.size(), m);
    }
  text.replace(text.size() - 4, 4, "LVUP");
  std::vector<MarkerHit> visited;
  EXPECT_TRUE(visit_markers(as_bytes(text), [&](const MarkerHit& h) {
    visited.push_back(h);
    return true;
  }));
  const std::vector<MarkerHit> all = fast(text);
  ASSERT_EQ(visited.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(visited[i].offset, all[i].offset);
    EXPECT_EQ(visited[i].marker, all[i].marker);
  }
  size_t seen = 0;
  EXPECT_FALSE(visit_markers(as_bytes(text), [&](const MarkerHit&) { return ++seen < 2; }));
  EXPECT_EQ(seen, 2u);
}

}  // namespace
}  // namespace lucompat
