#include <gtest/gtest.h>

#include "container/test_streams.h"

namespace lucompat::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Lz4, CodecContract, ::testing::Values(CodecCase{"lz4"}));

TEST(CodecLz4, FramesConcatenatedAfterAFullBlockAreOneStream) {
  // lz4 -l cuts its input into 8 MiB blocks; only the last one is shorter.
  const std::string data = sample_text((8 << 20) + 5000);
  const std::string stream = lz4_legacy(data.substr(0, 8 << 20)) + lz4_legacy(data.substr(8 << 20));
  const Decoded d =
      decode(*codec_named("lz4"), with_size_trailer(stream, static_cast<uint32_t>(data.size())));
  EXPECT_TRUE(d.out == data);
  EXPECT_EQ(d.info.consumed, stream.size());
  EXPECT_EQ(d.info.size_trailer, data.size());
}

TEST(CodecLz4, OnlyTheLegacyFrameIsRead) {
  std::string stream = lz4_legacy(sample_text(1000));
  stream[0] = '\x04';  // the magic of the current frame format, 0x184d2204
  stream[2] = '\x4d';
  expect_corrupt("lz4", stream, "corrupt lz4 data: not a legacy lz4 frame");
  EXPECT_EQ(decode_error("lz4", stream).offset, 0u);
}

TEST(CodecLz4, ABlockLargerThanAnyBlockLz4WritesIsCorrupt) {
  std::string stream = lz4_legacy(sample_text(1000));
  stream.replace(4, 4, std::string("\x00\x00\x00\x01", 4));  // 16 MiB
  expect_corrupt("lz4", stream, "corrupt lz4 data: block size 16777216");
  EXPECT_EQ(decode_error("lz4", stream).offset, 4u);
}

TEST(CodecLz4, ABlockThatDoesNotDecompressIsCorrupt) {
  std::string stream = lz4_legacy(sample_text(1000));
  // A token asking for a match before any literal: nothing to copy from.
  stream.replace(8, 3, std::string("\x0f\x10\x00", 3));
  expect_corrupt("lz4", stream, "corrupt lz4 data: block does not decompress");
  EXPECT_EQ(decode_error("lz4", stream).offset, 8u);
}

}  // namespace
}  // namespace lucompat::testing
