#include "container/dictionary_memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace lucompat {
namespace {

struct Mapping {
  void* at;
  size_t size;
};

// The blocks that were mapped, to tell them from malloc's when freed: a
// handful at most (one per stream being decoded).
std::mutex mapped_mu;
std::vector<Mapping> mapped;

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

}  // namespace

void* dictionary_alloc(size_t size) {
  if (size < kHugePage) return std::malloc(size);
  if (size > SIZE_MAX - 2 * kHugePage) return nullptr;
  // A huge page needs an aligned 2 MiB range: map one page more than needed
  // and unmap the slack on either side.
  const size_t length = round_up(size, kHugePage);
  void* m = ::mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) return nullptr;
  auto* base = static_cast<std::byte*>(m);
  const auto address = reinterpret_cast<uintptr_t>(base);
  const size_t head = round_up(address, kHugePage) - address;
  if (head > 0) ::munmap(base, head);
  if (kHugePage - head > 0) ::munmap(base + head + length, kHugePage - head);
  std::byte* block = base + head;
  // Advice only: where THP is off, the block is ordinary pages.
  (void)::madvise(block, length, MADV_HUGEPAGE);
  try {
    const std::lock_guard lock(mapped_mu);
    mapped.push_back({block, length});
  } catch (...) {
    ::munmap(block, length);
    return nullptr;
  }
  return block;
}

void dictionary_free(void* p) {
  if (p == nullptr) return;
  {
    const std::lock_guard lock(mapped_mu);
    const auto it =
        std::find_if(mapped.begin(), mapped.end(), [&](const Mapping& m) { return m.at == p; });
    if (it != mapped.end()) {
      ::munmap(it->at, it->size);
      mapped.erase(it);
      return;
    }
  }
  std::free(p);
}

}  // namespace lucompat
