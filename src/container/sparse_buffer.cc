#include "container/sparse_buffer.h"

#include <fmt/format.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>

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
}

SparseBuffer::~SparseBuffer() { ::munmap(data_, capacity_); }

void SparseBuffer::write(uint64_t offset, Bytes bytes) {
  if (bytes.empty()) return;
  std::memcpy(data_ + offset, bytes.data(), bytes.size());
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
