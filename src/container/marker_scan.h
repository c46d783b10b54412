// The markers the stream capture looks for in every decompressed byte: the
// table magic as stored little-endian ("PUVL") and big-endian ("LVUP"), and
// the start of the kernel banner. It runs over the whole stream, so it is
// written to keep up with memchr (bench/micro: marker_scan vs memchr).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "lucompat/base/byte_reader.h"

namespace lucompat {

enum class Marker : uint8_t { table_le, table_be, banner };

struct MarkerHit {
  uint64_t offset;
  Marker marker;
};

std::string_view marker_bytes(Marker m);

// Appends every marker that lies wholly inside `text`, in offset order.
void find_markers(Bytes text, std::vector<MarkerHit>& out);

}  // namespace lucompat
