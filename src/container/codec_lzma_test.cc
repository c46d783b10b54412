// xz and lzma, both read by liblzma (codec_lzma.cc).
#include <gtest/gtest.h>
#include <lzma.h>

#include "container/test_streams.h"

namespace lucompat::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Xz, CodecContract, ::testing::Values(CodecCase{"xz"}));
INSTANTIATE_TEST_SUITE_P(Lzma, CodecContract, ::testing::Values(CodecCase{"lzma"}));

// An xz stream whose block header asks for a 2^(code/2 + 12)-byte dictionary
// (an even LZMA2 dictionary code), its CRC32 made right again.
std::string xz_with_dictionary_code(std::string_view data, uint8_t code) {
  std::string s = xz(data);
  constexpr size_t kBlock = 12;  // after the stream header
  const size_t header = (static_cast<uint8_t>(s[kBlock]) + 1) * size_t{4};
  const auto flags = static_cast<uint8_t>(s[kBlock + 1]);
  size_t p = kBlock + 2;
  const auto skip_number = [&] {
    while (static_cast<uint8_t>(s[p++]) & 0x80) {
    }
  };
  if (flags & 0x40) skip_number();  // compressed size
  if (flags & 0x80) skip_number();  // uncompressed size
  if (s[p] != '\x21' || s[p + 1] != '\x01') throw std::logic_error("not one LZMA2 filter");
  s[p + 2] = static_cast<char>(code);
  const uint32_t crc =
      lzma_crc32(reinterpret_cast<const uint8_t*>(s.data()) + kBlock, header - 4, 0);
  for (size_t i = 0; i < 4; ++i)
    s[kBlock + header - 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  return s;
}

void expect_dictionary_refused(std::string_view codec, const std::string& stream) {
  const Error e = decode_error(codec, stream);
  EXPECT_EQ(e.kind, ErrorKind::limit);
  EXPECT_NE(e.message.find("more than the 96 MiB limit"), std::string::npos) << e.message;
  EXPECT_LE(e.offset.value_or(UINT64_MAX), stream.size());
}

TEST(CodecXz, DamagedDataIsCorruptNotOutput) {
  std::string stream = xz(sample_text(5000));
  stream[stream.size() / 2] ^= 0x10;
  expect_corrupt("xz", stream, "corrupt xz data: ");
}

TEST(CodecXz, ADictionaryPastTheLimitIsRefusedNotAllocated) {
  expect_dictionary_refused("xz", xz_with_dictionary_code(sample_text(5000), 36));  // 1 GiB
}

TEST(CodecXz, ALargerDictionaryWithinTheLimitIsGranted) {
  const std::string data = sample_text(5000);
  EXPECT_EQ(decode(*codec_named("xz"), xz_with_dictionary_code(data, 28)).out, data);  // 64 MiB
}

TEST(CodecLzma, PropertiesNoEncoderWritesAreNotAHeader) {
  std::string stream = lzma_alone(sample_text(5000));
  stream[0] = '\xe1';  // lc, lp and pb encode to at most 224
  expect_corrupt("lzma", stream, "corrupt lzma data: not a valid stream header");
  EXPECT_EQ(decode_error("lzma", stream).offset, 0u);
}

TEST(CodecLzma, ADictionaryPastTheLimitIsRefusedNotAllocated) {
  std::string stream = lzma_alone(sample_text(5000));
  stream.replace(1, 4, std::string("\x00\x00\x00\x40", 4));  // 1 GiB, little-endian
  expect_dictionary_refused("lzma", stream);
}

}  // namespace
}  // namespace lucompat::testing
