#include "container/sparse_buffer.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <utility>

namespace lucompat {

SparseBuffer::SparseBuffer(uint64_t capacity) : capacity_(std::max<uint64_t>(capacity, 1)) {
  void* m = ::mmap(nullptr, capacity_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED)
    fail(ErrorKind::limit, std::nullopt,
         fmt::format("cannot reserve {} bytes of address space for decompression; lower "
                     "--max-output",
                     capacity_));
  data_ = static_cast<std::byte*>(m);
  // A kernel decompresses into tens of MiB here: in 4 KiB pages that is
  // 15,000 page faults, a fifth of inspect's wall time on Debian's zstd
  // kernels (196 ms against 157 with huge pages, `zstd -dc` 145). Pages of
  // zeros are still given back below, which splits a huge page as needed.
  // Advice only: where THP is off, nothing changes.
  (void)::madvise(data_, capacity_, MADV_HUGEPAGE);
}

namespace {
std::atomic<uint64_t> kept_whole_total{0};
}  // namespace

SparseBuffer::~SparseBuffer() {
  kept_whole_total -= kept_whole_;
  ::munmap(data_, capacity_);
}

bool SparseBuffer::try_keep_whole(uint64_t bytes) {
  const uint64_t before = kept_whole_total.fetch_add(bytes);
  if (bytes > kMaxKeptWhole || before > kMaxKeptWhole - bytes) {
    kept_whole_total -= bytes;
    return false;
  }
  kept_whole_ += bytes;
  return true;
}

void SparseBuffer::keep_whole(uint64_t bytes) {
  if (!try_keep_whole(bytes))
    fail(ErrorKind::limit, std::nullopt,
         fmt::format("decompressed data that holds another container is kept in memory to be "
                     "read, and this passes the {}-byte limit for such data (all inputs being "
                     "read together)",
                     kMaxKeptWhole));
}

namespace {
thread_local std::unique_ptr<SparseBuffer> spare;
uint64_t page_size() {
  static const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  return page;
}
// Written ranges up to this size are zeroed in place, keeping their pages;
// larger ones are given back to the kernel.
constexpr uint64_t kZeroInPlace = uint64_t{1} << 20;
}  // namespace

std::shared_ptr<SparseBuffer> SparseBuffer::acquire(uint64_t capacity) {
  std::unique_ptr<SparseBuffer> b;
  if (spare && spare->capacity_ == std::max<uint64_t>(capacity, 1))
    b = std::move(spare);
  else
    b = std::make_unique<SparseBuffer>(capacity);
  return {b.release(), [](SparseBuffer* p) { p->recycle(); }};
}

Bytes SparseBuffer::view(uint64_t size) const {
  if (size > capacity_)
    fail(ErrorKind::limit, std::nullopt,
         fmt::format("a view of {} bytes of the {}-byte stream buffer", size, capacity_));
  return {data_, size};
}

namespace {

// Whole pages go back to the kernel (reading as zeros again); the partial
// pages at the ends are zeroed in place.
void clear(std::byte* data, uint64_t b, uint64_t e) {
  if (e - b <= kZeroInPlace) {
    std::memset(data + b, 0, e - b);
    return;
  }
  const uint64_t page = page_size();
  const uint64_t first = (b + page - 1) / page * page, last = e / page * page;
  std::memset(data + b, 0, first - b);
  if (::madvise(data + first, last - first, MADV_DONTNEED) != 0)
    std::memset(data + first, 0, last - first);
  std::memset(data + last, 0, e - last);
}

}  // namespace

OutputArea SparseBuffer::lend() { return {data_, capacity_}; }

namespace {

bool all_zero(const std::byte* p, uint64_t size) {
  static constexpr std::array<std::byte, 4096> kZeros{};
  for (uint64_t at = 0; at < size; at += kZeros.size())
    if (std::memcmp(p + at, kZeros.data(), std::min<uint64_t>(kZeros.size(), size - at)) != 0)
      return false;
  return true;
}

// Pages given back read as zeros, whatever a decoder wrote there.
void give_back(std::byte* p, uint64_t size) {
  if (::madvise(p, size, MADV_DONTNEED) != 0) std::memset(p, 0, size);
}

}  // namespace

// A kernel is largely zeros (its .bss, alignment up to 2 MiB, the first
// 2 MiB of a linked x86 vmlinux): half of a real 7.3 image and a quarter of
// Debian's. Whole pages of zeros are given back instead of copied, so they
// cost neither memory nor a page fault, and read as zeros all the same; in
// place (a decoder wrote them into lend()), they are dropped the same way.
void SparseBuffer::place(uint64_t offset, Bytes bytes) {
  const bool in_place = bytes.data() == data_ + offset;
  const auto copy = [&](uint64_t from, uint64_t to) {
    if (!in_place) std::memcpy(data_ + offset + from, bytes.data() + from, to - from);
  };
  const uint64_t page = page_size();
  const uint64_t size = bytes.size();
  uint64_t copied = 0;
  uint64_t at = (offset + page - 1) / page * page - offset;  // the first whole page
  while (at < size && size - at >= page) {
    uint64_t zeros = at;
    while (size - zeros >= page && all_zero(bytes.data() + zeros, page)) zeros += page;
    if (zeros == at) {
      at += page;
      continue;
    }
    copy(copied, at);
    give_back(data_ + offset + at, zeros - at);
    copied = at = zeros;
  }
  copy(copied, size);
}

void SparseBuffer::drop_absent(uint64_t end) {
  end = std::min(end, capacity_);
  uint64_t at = 0;
  for (const auto& [b, e] : present_) {
    if (b >= end) break;
    if (b > at) clear(data_, at, b);
    at = std::max(at, e);
  }
  if (end > at) clear(data_, at, end);
}

void SparseBuffer::recycle() {
  for (const auto& [b, e] : present_) clear(data_, b, e);
  present_.clear();
  kept_whole_total -= std::exchange(kept_whole_, 0);
  if (spare) {
    delete this;
  } else {
    spare.reset(this);
  }
}

void SparseBuffer::write(uint64_t offset, Bytes bytes) {
  // Callers cap what they write at the capacity; a slip must not write past
  // the mapping.
  if (offset > capacity_ || bytes.size() > capacity_ - offset)
    fail(ErrorKind::limit, offset,
         fmt::format("{} bytes at offset {:#x} do not fit the {}-byte stream buffer", bytes.size(),
                     offset, capacity_));
  if (bytes.empty()) return;
  place(offset, bytes);
  uint64_t begin = offset, end = offset + bytes.size();
  // Merge with every range it touches; the list stays short (tens of ranges).
  std::vector<std::pair<uint64_t, uint64_t>> merged;
  for (const auto& [b, e] : present_) {
    if (e < begin || b > end) {
      merged.emplace_back(b, e);
    } else {
      begin = std::min(begin, b);
      end = std::max(end, e);
    }
  }
  merged.emplace_back(begin, end);
  std::sort(merged.begin(), merged.end());
  present_ = std::move(merged);
}

std::vector<ByteRange> SparseBuffer::present() const {
  std::vector<ByteRange> out;
  for (const auto& [b, e] : present_) out.push_back({b, e - b});
  return out;
}

bool SparseBuffer::covers(uint64_t offset, uint64_t size) const {
  if (size == 0) return true;
  for (const auto& [b, e] : present_)
    if (b <= offset && offset + size <= e) return true;
  return false;
}

}  // namespace lucompat
