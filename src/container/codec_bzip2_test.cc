#include <gtest/gtest.h>

#include "container/test_streams.h"

namespace lucompat::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Bzip2, CodecContract, ::testing::Values(CodecCase{"bzip2"}));

TEST(CodecBzip2, ABlockSizeOfZeroIsABadMagic) {
  std::string stream = bzip2(sample_text(5000));
  stream[3] = '0';  // "BZh1" to "BZh9" name the block size
  expect_corrupt("bzip2", stream, "corrupt bzip2 data: bad magic");
}

TEST(CodecBzip2, DamagedBlockDataIsCorruptNotOutput) {
  std::string stream = bzip2(sample_text(5000));
  stream[stream.size() / 2] ^= 0x10;
  expect_corrupt("bzip2", stream, "corrupt bzip2 data: bad block data");
}

}  // namespace
}  // namespace lucompat::testing
