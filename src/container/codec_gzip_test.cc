#include <gtest/gtest.h>

#include "container/test_streams.h"

namespace lucompat::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Gzip, CodecContract, ::testing::Values(CodecCase{"gzip", true}));

TEST(CodecGzip, AWrongCrcIsCorruptDataNotOutput) {
  std::string stream = gzip(sample_text(5000));
  stream[stream.size() - 8] ^= 1;  // CRC32, before ISIZE
  expect_corrupt("gzip", stream, "corrupt gzip data: incorrect data check");
}

TEST(CodecGzip, AReservedBlockTypeIsCorruptAtItsByte) {
  std::string stream = gzip(sample_text(5000));
  stream[10] = '\x07';  // the first block after the 10-byte header: final, type 3
  expect_corrupt("gzip", stream, "corrupt gzip data: invalid block type");
  EXPECT_EQ(decode_error("gzip", stream).offset, 11u);
}

}  // namespace
}  // namespace lucompat::testing
