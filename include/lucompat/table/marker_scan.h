// The markers looked for in every byte of a kernel: the table magic as stored
// little-endian ("PUVL") and big-endian ("LVUP"), and the start of the kernel
// banner. The stream capture runs it over every decompressed byte and the
// magic scan over raw images, so it is written to keep up with memchr
// (bench/micro: marker_scan and table_magic_scan vs memchr).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "lucompat/base/banner_prefix.h"
#include "lucompat/base/byte_reader.h"

namespace lucompat {

enum class Marker : uint8_t { table_le, table_be, banner };

struct MarkerHit {
  uint64_t offset;
  Marker marker;
};

std::string_view marker_bytes(Marker m);

// The longest marker is the banner's prefix: a reader of chunks keeps this
// many bytes minus one of the previous chunk to find a marker split by them.
inline constexpr size_t kLongestMarker = kBannerPrefix.size();

// Which code runs the filter: the widest the CPU has, or the portable one
// (which tests use to check both on one machine).
enum class ScanUnit { best, portable };

// More table or banner candidates than this in one input is hostile, not a
// kernel: a file of nothing but magics would otherwise be one candidate per
// four bytes.
inline constexpr size_t kMaxMarkerCandidates = 4096;

// Appends every marker that lies wholly inside `text`, in offset order.
void find_markers(Bytes text, std::vector<MarkerHit>& out, ScanUnit unit = ScanUnit::best);

// Calls `visit` with every marker of `text` in offset order, a window at a
// time, so that what is held does not grow with the hits; stops once `visit`
// returns false. Returns whether it went through all of `text`.
bool visit_markers(Bytes text, const std::function<bool(const MarkerHit&)>& visit);

}  // namespace lucompat
