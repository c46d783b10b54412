// xz and lzma, both read by liblzma (codec_lzma.cc).
#include <gtest/gtest.h>
#include <lzma.h>

#include <array>
#include <optional>

#include "container/test_streams.h"

namespace lucompat::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Xz, CodecContract, ::testing::Values(CodecCase{"xz"}));
INSTANTIATE_TEST_SUITE_P(Lzma, CodecContract, ::testing::Values(CodecCase{"lzma"}));

constexpr uint32_t kMiB = 1u << 20;

void require(lzma_ret rc, const char* what) {
  if (rc != LZMA_OK) throw std::runtime_error(std::string("test xz writer failed: ") + what);
}

uint8_t* out_of(std::string& s) { return reinterpret_cast<uint8_t*>(s.data()); }

// What an xz stream made by xz_stream() says about itself, true or not.
struct XzShape {
  uint32_t dictionary = kMiB;  // what the block header asks for
  // Single-threaded xz, as scripts/xz_wrap.sh runs it, records no sizes in
  // block headers; multi-threaded xz does.
  bool sizes_in_header = false;
  std::optional<uint64_t>
      header_size;  // the uncompressed size the header records, if not the true one
  std::optional<uint64_t> index_size;  // the size the index records, if not the true one
};

// One block, filtered as an x86 kernel is (BCJ, then LZMA2), encoded with a
// small dictionary so that no test needs the encoder of a large one (1.4 GB
// for 128 MiB); the block header, the index and the footer are written
// from `shape` around the encoded data.
std::string xz_stream(std::string_view data, const XzShape& shape) {
  lzma_options_lzma lzma{};
  if (lzma_lzma_preset(&lzma, 1)) throw std::runtime_error("lzma_lzma_preset");
  lzma.dict_size = 64u << 10;
  std::array<lzma_filter, 3> filters{
      {{LZMA_FILTER_X86, nullptr}, {LZMA_FILTER_LZMA2, &lzma}, {LZMA_VLI_UNKNOWN, nullptr}}};
  lzma_block block{};
  block.check = LZMA_CHECK_CRC32;
  block.filters = filters.data();
  std::string encoded(lzma_block_buffer_bound(data.size()), '\0');
  size_t pos = 0;
  require(lzma_block_buffer_encode(&block, nullptr, reinterpret_cast<const uint8_t*>(data.data()),
                                   data.size(), out_of(encoded), &pos, encoded.size()),
          "lzma_block_buffer_encode");
  // The compressed data, its padding and its check, after the encoder's header.
  const std::string body = encoded.substr(block.header_size, pos - block.header_size);
  const lzma_vli compressed = block.compressed_size;

  lzma.dict_size = shape.dictionary;
  block.compressed_size = shape.sizes_in_header ? compressed : LZMA_VLI_UNKNOWN;
  block.uncompressed_size =
      shape.sizes_in_header ? shape.header_size.value_or(data.size()) : LZMA_VLI_UNKNOWN;
  require(lzma_block_header_size(&block), "lzma_block_header_size");
  std::string header(block.header_size, '\0');
  require(lzma_block_header_encode(&block, out_of(header)), "lzma_block_header_encode");

  lzma_index* index = lzma_index_init(nullptr);
  const lzma_vli unpadded = block.header_size + compressed + lzma_check_size(block.check);
  require(lzma_index_append(index, nullptr, unpadded, shape.index_size.value_or(data.size())),
          "lzma_index_append");
  std::string index_bytes(lzma_index_size(index), '\0');
  pos = 0;
  require(lzma_index_buffer_encode(index, out_of(index_bytes), &pos, index_bytes.size()),
          "lzma_index_buffer_encode");
  lzma_stream_flags flags{};
  flags.check = LZMA_CHECK_CRC32;
  flags.backward_size = lzma_index_size(index);
  lzma_index_end(index, nullptr);
  std::string stream_header(LZMA_STREAM_HEADER_SIZE, '\0');
  std::string stream_footer(LZMA_STREAM_HEADER_SIZE, '\0');
  require(lzma_stream_header_encode(&flags, out_of(stream_header)), "lzma_stream_header_encode");
  require(lzma_stream_footer_encode(&flags, out_of(stream_footer)), "lzma_stream_footer_encode");
  return stream_header + header + body + index_bytes + stream_footer;
}

void expect_dictionary_refused(std::string_view codec, const Error& e, uint64_t size) {
  SCOPED_TRACE(codec);
  EXPECT_EQ(e.kind, ErrorKind::limit);
  EXPECT_NE(e.message.find("more than the 96 MiB limit"), std::string::npos) << e.message;
  EXPECT_LE(e.offset.value_or(UINT64_MAX), size);
}

void expect_corrupt_within(const Measured& m, uint64_t declared) {
  ASSERT_TRUE(m.error.has_value());
  EXPECT_EQ(m.error->kind, ErrorKind::malformed) << m.error->message;
  EXPECT_TRUE(m.error->message.starts_with("corrupt xz data: ")) << m.error->message;
  EXPECT_LE(m.out.size(), declared);
  EXPECT_LT(m.heap_growth, 4 * kMiB);
}

TEST(CodecXz, DamagedDataIsCorruptNotOutput) {
  std::string stream = xz(sample_text(5000));
  stream[stream.size() / 2] ^= 0x10;
  expect_corrupt("xz", stream, "corrupt xz data: ");
}

// mainline's scripts/xz_wrap.sh asks for a 128 MiB dictionary for every
// kernel; the index at the stream's end says how much there is to decode.
TEST(CodecXz, AKernelsDictionaryIsSizedByTheIndexAtItsEnd) {
  const std::string data = sample_text(300 << 10);
  const std::string stream = xz_stream(data, {.dictionary = 128 * kMiB});
  // Followed by the kernel's size trailer; by the rest of a decompressor.
  for (const std::string& after : {with_size_trailer("", 300 << 10), random_bytes(1000)}) {
    const Measured m = decode_measured("xz", stream + after);
    ASSERT_FALSE(m.error) << m.error->message;
    EXPECT_EQ(m.out, data);
    EXPECT_LT(m.heap_growth, 4 * kMiB);
  }
  const Decoded d = decode(*codec_named("xz"), with_size_trailer(stream, 300 << 10));
  EXPECT_EQ(d.info.consumed, stream.size());
  EXPECT_EQ(d.info.size_trailer, 300u << 10);
}

TEST(CodecXz, ABlockHeadersSizeSizesItsDictionaryInAStreamFedInPieces) {
  const std::string data = sample_text(300 << 10);
  const std::string stream = xz_stream(data, {.dictionary = 128 * kMiB, .sizes_in_header = true});
  const Measured m = decode_measured("xz", stream, 4096);
  ASSERT_FALSE(m.error) << m.error->message;
  EXPECT_EQ(m.out, data);
  EXPECT_LT(m.heap_growth, 4 * kMiB);
}

TEST(CodecXz, AnotherStreamAfterThisOneDoesNotSizeIt) {
  const std::string data = sample_text(300 << 10);
  const std::string stream = xz_stream(data, {.dictionary = 128 * kMiB});
  // The last footer in the input is the second stream's: its index lists its own blocks.
  const Measured m = decode_measured("xz", stream + xz_stream(sample_text(100, 2), {}));
  ASSERT_FALSE(m.error) << m.error->message;
  EXPECT_EQ(m.out, data);
  EXPECT_LT(m.heap_growth, 4 * kMiB);
}

TEST(CodecXz, WithNoSizeKnownADictionaryPastTheLimitIsRefusedNotAllocated) {
  const std::string data = sample_text(5000);
  const std::string stream = xz_stream(data, {.dictionary = 1024 * kMiB});
  // Fed in pieces, the first without the index; whole, with its footer damaged.
  expect_dictionary_refused("xz", *decode_measured("xz", stream, 100).error, stream.size());
  std::string damaged = stream;
  damaged[damaged.size() - 6] ^= 1;
  expect_dictionary_refused("xz", *decode_measured("xz", damaged).error, stream.size());
}

TEST(CodecXz, WithNoSizeKnownALargerDictionaryWithinTheLimitIsGranted) {
  const std::string data = sample_text(5000);
  const Measured m = decode_measured("xz", xz_stream(data, {.dictionary = 64 * kMiB}), 100);
  ASSERT_FALSE(m.error) << m.error->message;
  EXPECT_EQ(m.out, data);
}

// A stream that says it is small, to get a small dictionary, and then
// decompresses to more: liblzma's block decoder stops it at what it declared.
TEST(CodecXz, AnIndexThatUnderstatesABlockIsCorruptAndNothingPastItIsOutput) {
  const std::string data = sample_text(300 << 10);
  const uint64_t declared = 20000;
  expect_corrupt_within(
      decode_measured("xz", xz_stream(data, {.dictionary = 128 * kMiB, .index_size = declared})),
      declared);
}

TEST(CodecXz, ABlockHeaderThatUnderstatesItsSizeIsCorruptAndNothingPastItIsOutput) {
  const std::string data = sample_text(300 << 10);
  const uint64_t declared = 20000;
  const std::string stream =
      xz_stream(data, {.dictionary = 128 * kMiB, .sizes_in_header = true, .header_size = declared});
  expect_corrupt_within(decode_measured("xz", stream), declared);
  expect_corrupt_within(decode_measured("xz", stream, 4096), declared);
}

TEST(CodecXz, AnIndexThatOverstatesABlockIsCorrupt) {
  const std::string data = sample_text(300 << 10);
  expect_corrupt_within(decode_measured("xz", xz_stream(data, {.dictionary = 128 * kMiB,
                                                               .index_size = 2 * data.size()})),
                        data.size());
}

TEST(CodecLzma, PropertiesNoEncoderWritesAreNotAHeader) {
  std::string stream = lzma_alone(sample_text(5000));
  stream[0] = '\xe1';  // lc, lp and pb encode to at most 224
  expect_corrupt("lzma", stream, "corrupt lzma data: not a valid stream header");
  EXPECT_EQ(decode_error("lzma", stream).offset, 0u);
}

// The kernel's `lzma -9` asks for 64 MiB, within the limit.
TEST(CodecLzma, AKernelsDictionaryIsGranted) {
  const std::string data = sample_text(5000);
  std::string stream = lzma_alone(data);
  put_le(stream, 1, 64 * kMiB, 4);
  EXPECT_EQ(decode(*codec_named("lzma"), stream).out, data);
}

TEST(CodecLzma, ADictionaryPastTheLimitIsRefusedNotAllocated) {
  std::string stream = lzma_alone(sample_text(5000));
  put_le(stream, 1, 1024 * kMiB, 4);
  expect_dictionary_refused("lzma", decode_error("lzma", stream), stream.size());
}

}  // namespace
}  // namespace lucompat::testing
