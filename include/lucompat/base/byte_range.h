// A range of offsets, and the cut of one range by the parts of a buffer that
// hold data. A decompressed stream keeps only some ranges (every table magic
// and banner among them); searching the rest would read zeros and fault in
// pages for nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace lucompat {

struct ByteRange {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t end() const { return offset + size; }
};

// Whether the bytes at [offset, offset + size) are at hand (kept, read, covered).
using Covered = std::function<bool(uint64_t offset, uint64_t size)>;

// The parts of `range` inside `present` (sorted, disjoint). An empty
// `present` means the whole buffer holds data.
std::vector<ByteRange> clip_to_present(ByteRange range, const std::vector<ByteRange>& present);

}  // namespace lucompat
