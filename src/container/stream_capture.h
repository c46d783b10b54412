// What to keep of a stream while it decompresses. Small streams and nested
// containers are kept whole; a large ELF or raw image keeps only what its
// reader will touch: the first 4 MiB, the ELF header tables and the 1 MiB
// before the section headers (where the section names are), notes, and every
// place a table magic or a "Linux version " banner appears. So peak memory
// stays flat however large the kernel, and the readers run unchanged on the
// sparse result.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "container/sparse_buffer.h"
#include "elf/elf_layout.h"

namespace lucompat {

class StreamCapture {
 public:
  explicit StreamCapture(SparseBuffer& buffer) : buffer_(buffer) {}

  // The sink of the first pass: keeps by the rules above.
  void consume(Bytes chunk);
  uint64_t size() const { return pos_; }
  bool whole() const { return mode_ == Mode::whole || pos_ <= kHead; }

  // For a refill pass: keep exactly these ranges and nothing else.
  static void keep_only(SparseBuffer& buffer, const std::vector<ByteRange>& ranges,
                        uint64_t at, Bytes chunk);

  static constexpr uint64_t kHead = uint64_t{4} << 20;

 private:
  enum class Mode { undecided, whole, elf, raw };
  void decide(Bytes first);
  void plan_elf();
  void scan(Bytes chunk);
  void add_range(uint64_t begin, uint64_t end);
  void copy_ranges(Bytes chunk);

  SparseBuffer& buffer_;
  Mode mode_ = Mode::undecided;
  uint64_t pos_ = 0;
  std::vector<ByteRange> ranges_;  // to keep as the stream passes them
  bool notes_planned_ = false;
  ByteRange phdrs_;
  std::string tail_;  // the last bytes of the previous chunk, for hits across chunks
  size_t candidates_ = 0;
};

}  // namespace lucompat
