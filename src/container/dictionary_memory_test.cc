#include "container/dictionary_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

namespace lucompat {
namespace {

TEST(DictionaryMemory, LargeBlocksAreAlignedForHugePagesAndUsable) {
  for (const size_t size : {kHugePage, 3 * kHugePage + 5}) {
    auto* p = static_cast<std::byte*>(dictionary_alloc(size));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % kHugePage, 0u);
    std::memset(p, 0x5a, size);
    EXPECT_EQ(p[size - 1], std::byte{0x5a});
    dictionary_free(p);
  }
}

TEST(DictionaryMemory, SmallBlocksAndNullAreMallocs) {
  void* p = dictionary_alloc(100);
  ASSERT_NE(p, nullptr);
  std::memset(p, 1, 100);
  dictionary_free(p);
  dictionary_free(nullptr);
}

TEST(DictionaryMemory, ASizeNoMappingCanHoldIsRefused) {
  EXPECT_EQ(dictionary_alloc(SIZE_MAX - kHugePage), nullptr);
}

}  // namespace
}  // namespace lucompat
