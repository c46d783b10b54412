// probe_compressed: a stream at the start of the bytes, decompressed through
// the stream capture (and refilled for an ELF the capture could not predict).
#include <gtest/gtest.h>

#include <cstddef>

#include "container/probe.h"
#include "container/stream_capture.h"
#include "container/test_probe.h"
#include "container/test_streams.h"
#include "elf/test_elf.h"

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

// An ELF of `size` bytes: notes at 512 KiB inside a loaded segment over the
// first MiB, a .modinfo at 2 MiB, the section headers at the end.
struct ElfStream {
  std::string elf;
  uint64_t modinfo = 0;
};

ElfStream large_elf(uint64_t size) {
  testing::ElfBuilder b(ET_EXEC);
  const size_t note = b.section(".notes", std::string(36, 'n'), SHT_NOTE, SHF_ALLOC, 0, 512 << 10);
  const size_t modinfo = b.section(".modinfo", "license=GPL", SHT_PROGBITS, 0, 0, 2 * kMiB);
  b.section(".data", std::string(size - 2 * kMiB - 4096, 'd'), SHT_PROGBITS, SHF_ALLOC | SHF_WRITE);
  b.segment(PT_LOAD, 0, kMiB, 0xffff0000);
  b.segment(PT_NOTE, b.offset_of(note), 36, 0xffff0000 + b.offset_of(note));
  return {b.build(), b.offset_of(modinfo)};
}

TEST(ProbeCompressed, ALargeElfIsRefilledWithTheSectionsItsReaderOpens) {
  // The first pass keeps the headers, notes and section names; .modinfo,
  // which the ELF reader opens, is fetched by a second pass.
  const ElfStream e = large_elf(6 * kMiB);
  const auto step = probe(testing::gzip(e.elf));
  ASSERT_TRUE(step.has_value());
  ASSERT_EQ(step->inner.size(), e.elf.size());
  EXPECT_TRUE(step->buffer->covers(e.modinfo, 11));
  EXPECT_EQ(as_chars(step->inner.subspan(e.modinfo, 11)), "license=GPL");
  // What no reader opens is not kept: it reads as zeros.
  EXPECT_FALSE(step->buffer->covers(3 * kMiB, 1));
  EXPECT_EQ(step->inner[3 * kMiB], std::byte{0});
}

TEST(ProbeCompressed, TheSecondPassHasTheMemoryOfTheFirst) {
  // The kernel's `lzma -9` asks for a 64 MiB dictionary; this one for 80:
  // two at once are more than all streams together may hold.
  const ElfStream e = large_elf(6 * kMiB);
  std::string stream = testing::lzma_alone(e.elf);
  testing::put_le(stream, 1, 80 * kMiB, 4);
  const auto step = probe(stream);
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(as_chars(step->inner.subspan(e.modinfo, 11)), "license=GPL");
}

TEST(ProbeCompressed, EarlyExitCutsTheStreamAfterTheSegmentWithTheNotes) {
  const ElfStream e = large_elf(6 * kMiB);
  UnwrapOptions options;
  options.early_exit = true;
  const auto step = probe(testing::gzip(e.elf), options);
  ASSERT_TRUE(step.has_value());
  EXPECT_TRUE(step->cut);
  EXPECT_GE(step->inner.size(), kMiB);
  EXPECT_LT(step->inner.size(), e.elf.size());
  EXPECT_EQ(step->layer.decompressed_size, std::nullopt);
  EXPECT_EQ(step->layer.size_trailer, std::nullopt);
  EXPECT_NE(detail(step->layer, "early_exit"), "");
}

}  // namespace
}  // namespace lucompat
