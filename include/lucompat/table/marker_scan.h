// The markers looked for in every byte of a kernel: the table magic as stored
// little-endian ("PUVL") and big-endian ("LVUP"), and the start of the kernel
// banner. The stream capture runs it over every decompressed byte and the
// magic scan over raw images, so it is written to keep up with memchr
// (bench/micro: marker_scan and table_magic_scan vs memchr).
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

// Which code runs the filter: the widest the CPU has, or the portable one
// (which tests use to check both on one machine).
enum class ScanUnit { best, portable };

// Appends every marker that lies wholly inside `text`, in offset order.
void find_markers(Bytes text, std::vector<MarkerHit>& out, ScanUnit unit = ScanUnit::best);

}  // namespace lucompat
