#include <gtest/gtest.h>

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
