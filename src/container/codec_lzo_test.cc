#include <gtest/gtest.h>

#include "container/test_streams.h"

namespace lucompat::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Lzo, CodecContract, ::testing::Values(CodecCase{"lzo"}));

// Where the fields sit in what testing::lzop writes: a version 0x1040
// header with a one-letter name, then the first block.
constexpr size_t kMethod = 15, kFirstBlock = 39;

TEST(CodecLzo, EachChecksumLzopWritesIsVerified) {
  const std::string data = sample_text(300 << 10);
  for (uint32_t flags : {0u, kLzopAdler32D, kLzopCrc32D, kLzopAdler32D | kLzopCrc32D}) {
    SCOPED_TRACE(flags);
    std::string stream = lzop(data, flags);
    EXPECT_EQ(decode(*codec_named("lzo"), stream).out, data);
    if (flags == 0) continue;
    stream[kFirstBlock + 8] ^= 1;  // the first checksum after the two sizes: adler32's, if any
    expect_corrupt("lzo", stream,
                   (flags & kLzopAdler32D) ? "corrupt lzo data: block checksum (adler32) mismatch"
                                           : "corrupt lzo data: block checksum (crc32) mismatch");
  }
}

TEST(CodecLzo, AMethodThatIsNotLzo1xIsUnsupported) {
  std::string stream = lzop(sample_text(1000));
  ASSERT_EQ(stream[kMethod], '\x03');
  stream[kMethod] = '\x04';
  const Error e = decode_error("lzo", stream);
  EXPECT_EQ(e.kind, ErrorKind::unsupported);
  EXPECT_EQ(e.offset, kMethod);
}

TEST(CodecLzo, BlockSizesNoLzopWritesAreCorrupt) {
  const std::string good = lzop(sample_text(1000));
  std::string huge = good;
  huge.replace(kFirstBlock, 4, std::string("\x04\x00\x00\x01", 4));  // 64 MiB + 1
  expect_corrupt("lzo", huge, "corrupt lzo data: block size 67108865 exceeds");
  EXPECT_EQ(decode_error("lzo", huge).offset, kFirstBlock);

  std::string grown = good;
  grown.replace(kFirstBlock + 4, 4, std::string("\x00\x00\x10\x00", 4));  // more than the 1000 out
  expect_corrupt("lzo", grown,
                 "corrupt lzo data: compressed block (4096 bytes) larger than its output");
  EXPECT_EQ(decode_error("lzo", grown).offset, kFirstBlock + 4);
}

TEST(CodecLzo, ABlockThatDoesNotDecompressIsCorrupt) {
  std::string stream = lzop(sample_text(1000), 0);
  // Past the two sizes: the compressed bytes, made a match before any output.
  stream.replace(kFirstBlock + 8, 4, std::string("\x11\x00\x00\xff", 4));
  expect_corrupt("lzo", stream, "corrupt lzo data: block does not decompress");
  EXPECT_EQ(decode_error("lzo", stream).offset, kFirstBlock + 8);
}

}  // namespace
}  // namespace lucompat::testing
