// Memory for a decoder's dictionary: one large block that LZMA's matches read
// at random offsets, as large as the kernel it decodes (12 MiB for a real 7.3
// image). With 4 KiB pages it costs a page fault per page and a TLB miss per
// far match; blocks of kHugePage and more are mapped on their own, aligned,
// and advised for transparent huge pages, which the kernel grants on hosts
// whose THP policy is "madvise" or "always" (docs/performance.md has the
// measurement). Smaller blocks come from malloc.
#pragma once

#include <cstddef>

namespace lucompat {

inline constexpr size_t kHugePage = size_t{2} << 20;

// malloc's contract: nullptr when the memory cannot be had.
void* dictionary_alloc(size_t size);
// Takes what dictionary_alloc returned, or nullptr.
void dictionary_free(void* p);

}  // namespace lucompat
