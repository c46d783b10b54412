// A buffer as large as a decompressed stream may be, of which only written
// pages cost memory: an anonymous MAP_NORESERVE mapping. Unwritten pages read
// as zeros without being allocated.
//
// A module tree decompresses thousands of small streams on a few threads:
// mapping, faulting in and unmapping a buffer for each made the kernel half
// of the work (TLB shootdowns across the workers). So each thread keeps its
// last buffer, with what was written zeroed again, for the next stream.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "lucompat/base/byte_range.h"
#include "lucompat/base/byte_reader.h"
#include "lucompat/container/codec.h"

namespace lucompat {

class SparseBuffer {
 public:
  // This thread's spare buffer when it has this capacity, else a new one.
  static std::shared_ptr<SparseBuffer> acquire(uint64_t capacity);

  // Throws a limit ParseError when the address space cannot be reserved.
  explicit SparseBuffer(uint64_t capacity);
  ~SparseBuffer();
  SparseBuffer(const SparseBuffer&) = delete;
  SparseBuffer& operator=(const SparseBuffer&) = delete;

  uint64_t capacity() const { return capacity_; }
  // Copies `bytes` to `offset` and records the range as present; bytes that
  // already lie there (a decoder wrote them into lend()) are only recorded.
  // Whole pages of zeros are given back instead: they read as zeros.
  void write(uint64_t offset, Bytes bytes);
  // The whole buffer, for a decoder to write its output into (see
  // StreamDecoder::offer); what it writes is not present until write()
  // records it, and the borrower clears the rest (drop_absent) before the
  // buffer is recycled.
  OutputArea lend();
  // Clears every byte below `end` that is not present, so that it reads as
  // zeros again and costs no memory: what a decoder wrote that the capture
  // did not keep.
  void drop_absent(uint64_t end);
  // Counts `bytes` about to be written as data kept whole (another container
  // inside, read at random), against kMaxKeptWhole for all buffers of the
  // process together; throws a limit ParseError past it. Given back when the
  // buffer is released.
  void keep_whole(uint64_t bytes);
  // The same, returning false (and counting nothing) past the limit: for
  // data that may also be kept sparse.
  bool try_keep_whole(uint64_t bytes);
  // Random access is needed only for a container's header and pointers; a
  // kernel image that holds a payload is tens of MiB (Debian's vmlinuz:
  // 8 MiB). Counted across threads, so a tree of nested bombs read by 16
  // workers costs this, not 16 times it.
  static constexpr uint64_t kMaxKeptWhole = uint64_t{64} << 20;
  bool covers(uint64_t offset, uint64_t size) const;
  // The written ranges, sorted and disjoint.
  std::vector<ByteRange> present() const;
  // The first `size` bytes; more than the capacity throws a limit ParseError.
  Bytes view(uint64_t size) const;

 private:
  void recycle();
  void place(uint64_t offset, Bytes bytes);

  std::byte* data_ = nullptr;
  uint64_t capacity_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> present_;  // sorted, disjoint [begin, end)
  uint64_t kept_whole_ = 0;  // this buffer's share of the process-wide count
};

}  // namespace lucompat
