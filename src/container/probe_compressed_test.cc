// probe_compressed: a stream at the start of the bytes, decompressed through
// the stream capture (and refilled for a file the capture could not
// predict), by the test rules (test_rules.h).
#include <gtest/gtest.h>

#include <cstddef>

#include "container/probe.h"
#include "container/stream_capture.h"
#include "container/test_probe.h"
#include "container/test_rules.h"
#include "container/test_streams.h"

namespace lucompat {
namespace {

using testing::detail;
using testing::probe_error;

constexpr uint64_t kMiB = uint64_t{1} << 20;

std::optional<Step> probe(const std::string& bytes, const UnwrapOptions& options = {}) {
  return kCompressedProbe.probe(as_bytes(bytes), {options});
}

TEST(ProbeCompressed, AStreamIsDecompressedWithWhatItsLayerKnows) {
  const std::string data = testing::sample_text(100000);
  for (const Codec& codec : codecs()) {
    SCOPED_TRACE(std::string(codec.name));
    const std::string stream = testing::compress(codec.name, data);
    const std::string input =
        codec.name == "gzip" ? stream : testing::with_size_trailer(stream, 100000);
    const auto step = probe(input);
    ASSERT_TRUE(step.has_value());
    EXPECT_EQ(step->layer.format, codec.name);
    EXPECT_EQ(step->layer.compression, codec.name);
    EXPECT_EQ(step->layer.size, stream.size());
    EXPECT_EQ(step->layer.decompressed_size, 100000u);
    EXPECT_EQ(step->layer.size_trailer, 100000u);
    EXPECT_TRUE(step->layer.warnings.empty());
    EXPECT_FALSE(step->cut);
    ASSERT_NE(step->buffer, nullptr);
    EXPECT_EQ(as_chars(step->inner), data);
  }
}

TEST(ProbeCompressed, BytesWithoutAMagicAreNotMine) {
  EXPECT_FALSE(probe("\x7f"
                     "ELF")
                   .has_value());
  EXPECT_FALSE(probe("").has_value());
}

TEST(ProbeCompressed, WhatFollowsTheStreamIsNamedInAWarning) {
  const std::string data = testing::sample_text(5000);
  const std::string stream = testing::xz(data);
  auto step = probe(stream + "1234567");
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(
      step->layer.warnings,
      std::vector<std::string>{"7 bytes follow the xz stream; expected none or a 4-byte size"});
  step = probe(testing::with_size_trailer(stream, 4999));
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(step->layer.warnings,
            std::vector<std::string>{
                "the size trailer says 4999 bytes, but the stream decompressed to 5000"});
}

TEST(ProbeCompressed, ACorruptStreamIsAnErrorInsideIt) {
  std::string stream = testing::gzip(testing::sample_text(5000));
  stream[stream.size() - 8] ^= 1;
  const Error e = probe_error(kCompressedProbe.probe, stream);
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_LE(e.offset.value_or(UINT64_MAX), stream.size());
}

TEST(ProbeCompressed, TheInputsBudgetCountsEveryStream) {
  UnwrapOptions options;
  options.budget = std::make_shared<OutputBudget>(150000);
  const std::string stream = testing::zstd(testing::sample_text(100000));
  EXPECT_TRUE(probe(stream, options).has_value());
  EXPECT_EQ(probe_error(kCompressedProbe.probe, stream, options).kind, ErrorKind::limit);
}

// A file of 6 MiB whose plan keeps its index; its reader asks, once that
// is at hand, for 11 bytes at 2 MiB, and its needs end at 1 MiB.
struct FileStream {
  std::string file;
  uint64_t asked = 2 * kMiB;
};

FileStream large_file() {
  std::string f =
      testing::test_file(6 * kMiB, 512 << 10, 5 * kMiB, {0, 0, kMiB, 2 * kMiB, 11}, 0, 'd');
  f.replace(2 * kMiB, 11, "license=GPL");
  return {f};
}

UnwrapOptions with_rules() {
  UnwrapOptions options;
  options.rules = &testing::kTestRules;
  return options;
}

TEST(ProbeCompressed, AFileIsRefilledWithWhatItsReaderAsks) {
  // The first pass keeps the head and the index; the range the reader asks
  // for is fetched by a second pass.
  const FileStream e = large_file();
  const auto step = probe(testing::gzip(e.file), with_rules());
  ASSERT_TRUE(step.has_value());
  ASSERT_EQ(step->inner.size(), e.file.size());
  EXPECT_TRUE(step->buffer->covers(e.asked, 11));
  EXPECT_EQ(as_chars(step->inner.subspan(e.asked, 11)), "license=GPL");
  // What no reader asks for is not kept: it reads as zeros.
  EXPECT_FALSE(step->buffer->covers(3 * kMiB, 1));
  EXPECT_EQ(step->inner[3 * kMiB], std::byte{0});
}

TEST(ProbeCompressed, WithoutRulesAStreamIsKeptWhole) {
  const FileStream e = large_file();
  const auto step = probe(testing::gzip(e.file));
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(as_chars(step->inner), e.file);
}

TEST(ProbeCompressed, TheSecondPassHasTheMemoryOfTheFirst) {
  // The kernel's `lzma -9` asks for a 64 MiB dictionary; this one for 80:
  // two at once are more than all streams together may hold.
  const FileStream e = large_file();
  std::string stream = testing::lzma_alone(e.file);
  testing::put_le(stream, 1, 80 * kMiB, 4);
  const auto step = probe(stream, with_rules());
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(as_chars(step->inner.subspan(e.asked, 11)), "license=GPL");
}

TEST(ProbeCompressed, EarlyExitCutsTheStreamWhereTheReadersNeedsEnd) {
  const FileStream e = large_file();
  UnwrapOptions options = with_rules();
  options.early_exit = true;
  const auto step = probe(testing::gzip(e.file), options);
  ASSERT_TRUE(step.has_value());
  EXPECT_TRUE(step->cut);
  EXPECT_GE(step->inner.size(), kMiB);
  EXPECT_LT(step->inner.size(), e.file.size());
  EXPECT_EQ(step->layer.decompressed_size, std::nullopt);
  EXPECT_EQ(step->layer.size_trailer, std::nullopt);
  EXPECT_NE(detail(step->layer, "early_exit"), "");
}

}  // namespace
}  // namespace lucompat
