#include <gtest/gtest.h>

#include <array>

#include "container/test_streams.h"

namespace lucompat::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Zstd, CodecContract, ::testing::Values(CodecCase{"zstd"}));

// The window limit is process-wide (--max-zstd-window): a test that lowers
// it puts it back.
class WindowLimit {
 public:
  explicit WindowLimit(uint64_t bytes) : saved_(max_zstd_window()) { set_max_zstd_window(bytes); }
  ~WindowLimit() { set_max_zstd_window(saved_); }
  WindowLimit(const WindowLimit&) = delete;
  WindowLimit& operator=(const WindowLimit&) = delete;

 private:
  uint64_t saved_;
};

// What `zstd -22 --ultra` writes on the kernel build's pipe: a frame that
// names a 128 MiB window (descriptor 0x88: 2^(10+17) bytes) and no content
// size. Made by rewriting the header of a frame libzstd wrote for `data`,
// whose blocks decode alike with any larger window.
std::string zstd_from_a_pipe(std::string_view data) {
  const std::string frame = zstd(data);
  const auto descriptor = static_cast<uint8_t>(frame[4]);
  const bool single_segment = (descriptor & 0x20) != 0;
  constexpr std::array<size_t, 4> kDictionaryId{0, 1, 2, 4};
  const std::array<size_t, 4> content_size{single_segment ? 1u : 0u, 2, 4, 8};
  const size_t header =
      5 + (single_segment ? 0 : 1) + kDictionaryId[descriptor & 3] + content_size[descriptor >> 6];
  std::string out = frame.substr(0, 4);
  out += static_cast<char>(descriptor & 0x04);  // its checksum; no dictionary, no content size
  out += '\x88';
  return out + frame.substr(header);
}

TEST(CodecZstd, AKernelsWindowIsSizedByItsBlocksWhenTheFrameIsWhole) {
  const std::string data = sample_text(300 << 10);
  const std::string stream = zstd_from_a_pipe(data);
  const Measured m = decode_measured("zstd", with_size_trailer(stream, 300 << 10));
  ASSERT_FALSE(m.error) << m.error->message;
  EXPECT_EQ(m.out, data);
  EXPECT_EQ(m.consumed, stream.size());
  EXPECT_LT(m.heap_growth, 4u << 20);
}

TEST(CodecZstd, AFrameFedInPiecesHasTheWindowItNames) {
  const std::string data = sample_text(300 << 10);
  const std::string stream = zstd_from_a_pipe(data);
  EXPECT_EQ(decode_measured("zstd", stream, 4096).out, data);
  // Below the window it names, it is refused; whole, its blocks bound it.
  const WindowLimit limit(1 << 20);
  const Error e = decode_measured("zstd", stream, 4096).error.value();
  EXPECT_EQ(e.kind, ErrorKind::limit);
  EXPECT_NE(e.message.find("134217728-byte window"), std::string::npos) << e.message;
  EXPECT_EQ(decode_measured("zstd", stream).out, data);
}

// A kernel's frame, whole with its size trailer, offered the memory its
// output is kept in: decoded there, in pieces through the sink.
struct IntoArea {
  std::string area;
  std::string out;  // what the sink saw
  uint64_t written = 0;
  size_t in_area = 0;  // chunks that lay in the area
};
IntoArea decode_into_area(const std::string& input, size_t area_size) {
  IntoArea r;
  r.area.assign(area_size, '\0');
  const Sink sink = [&](Bytes chunk) {
    const auto* at = reinterpret_cast<const char*>(chunk.data());
    if (at >= r.area.data() && at < r.area.data() + r.area.size()) ++r.in_area;
    r.out.append(at, chunk.size());
    return true;
  };
  const auto d = codec_named("zstd")->open(sink, 1 << 30);
  d->offer({reinterpret_cast<std::byte*>(r.area.data()), r.area.size()});
  d->feed(as_bytes(std::string_view(input)));
  d->finish();
  r.written = d->written_into_area();
  return r;
}

TEST(CodecZstd, AKernelsFrameDecodesStraightIntoTheAreaOffered) {
  const std::string data = sample_text(600 << 10);
  const IntoArea r =
      decode_into_area(with_size_trailer(zstd_from_a_pipe(data), 600 << 10), 1 << 20);
  EXPECT_EQ(r.out, data);
  EXPECT_EQ(r.written, data.size());
  EXPECT_EQ(r.area.substr(0, data.size()), data);
  EXPECT_GT(r.in_area, 0u);
}

// A kernel's .bss: megabytes of zeros in a few bytes of RLE blocks. The
// sink, which gives back zero pages, sees them a megabyte or so at a time,
// not all at once.
TEST(CodecZstd, ZerosReachTheSinkAMegabyteAtATime) {
  const std::string data =
      sample_text(200 << 10) + std::string(size_t{12} << 20, '\0') + sample_text(100 << 10);
  IntoArea r;
  r.area.assign(data.size(), '\0');
  size_t largest = 0;
  const Sink sink = [&](Bytes chunk) {
    largest = std::max(largest, chunk.size());
    r.out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    return true;
  };
  const auto d = codec_named("zstd")->open(sink, 1 << 30);
  d->offer({reinterpret_cast<std::byte*>(r.area.data()), r.area.size()});
  d->feed(as_bytes(std::string_view(
      with_size_trailer(zstd_from_a_pipe(data), static_cast<uint32_t>(data.size())))));
  d->finish();
  EXPECT_EQ(d->written_into_area(), data.size());
  EXPECT_TRUE(r.out == data);
  EXPECT_LE(largest, size_t{5} << 19);
}

TEST(CodecZstd, ATrailerThatSaysTooLittleIsDecodedAgainWithAWindow) {
  // The area is given what the trailer says; the rest comes out of a window
  // of the library's, after the bytes already handed over.
  const std::string data = sample_text(600 << 10);
  const IntoArea r =
      decode_into_area(with_size_trailer(zstd_from_a_pipe(data), 100 << 10), 1 << 20);
  EXPECT_EQ(r.out, data);
  EXPECT_LE(r.written, 100u << 10);
  EXPECT_EQ(r.area.substr(0, r.written), data.substr(0, r.written));
}

TEST(CodecZstd, NoTrailerOrTooSmallAnAreaDecodesAsBefore) {
  const std::string data = sample_text(300 << 10);
  const std::string stream = zstd_from_a_pipe(data);
  for (const auto& [input, area] :
       {std::pair{stream, size_t{1} << 20},
        std::pair{with_size_trailer(stream, 300 << 10), size_t{4096}}}) {
    const IntoArea r = decode_into_area(input, area);
    EXPECT_EQ(r.out, data);
    EXPECT_EQ(r.written, 0u);
    EXPECT_EQ(r.in_area, 0u);
  }
}

TEST(CodecZstd, AWrongChecksumIsCorruptDataNotOutput) {
  std::string stream = zstd(sample_text(5000));
  stream.back() ^= 1;  // the frame's last 4 bytes are its checksum
  expect_corrupt("zstd", stream, "corrupt zstd data: Restored data doesn't match checksum");
}

TEST(CodecZstd, AWindowPastTheLimitIsRefusedBeforeDecoding) {
  // A single-segment frame's window is its content size.
  const std::string data = sample_text(2 << 20);
  const std::string stream = zstd(data);
  {
    const WindowLimit limit(1 << 20);
    const Error e = decode_error("zstd", stream);
    EXPECT_EQ(e.kind, ErrorKind::limit);
    EXPECT_EQ(e.offset, 0u);
    EXPECT_NE(e.message.find("--max-zstd-window"), std::string::npos) << e.message;
  }
  const WindowLimit limit(2 << 20);
  EXPECT_TRUE(decode(*codec_named("zstd"), stream).out == data);
}

TEST(CodecZstd, AFrameHeaderNoEncoderWritesIsCorrupt) {
  std::string stream = zstd(sample_text(1000));
  stream[4] = '\x08';  // the frame header descriptor's reserved bit
  expect_corrupt("zstd", stream, "corrupt zstd data: ");
  EXPECT_EQ(decode_error("zstd", stream).offset, 0u);
}

}  // namespace
}  // namespace lucompat::testing
