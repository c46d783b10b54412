// The kernel's capture rules: what the stream capture keeps of a kernel's
// ELF and of a raw image by them, and how a compressed ELF is refilled and
// cut by early exit through unwrap(). The capture's own mechanics, under
// rules of a test format, are tested in container/stream_capture_test.cc;
// these drive the same capture (a private header of container, which a test
// may use) with the rules inspect gives it.
#include "lucompat/inspect/kernel_capture_rules.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "container/test_capture.h"
#include "container/test_streams.h"
#include "elf/test_elf.h"
#include "lucompat/container/unwrap.h"
#include "lucompat/table/table_format.h"

namespace lucompat {
namespace {

using testing::Captured;
using testing::ElfBuilder;
using testing::Feed;
using testing::kept;

constexpr uint64_t kMiB = uint64_t{1} << 20;
// Every byte a table at a magic can occupy: its header and the most entries
// a table may have.
constexpr uint64_t kTableBytes = 8 + 48 * kMaxTableEntries;
const std::string kBanner = "Linux version 6.1.0-test (builder@host) #1 SMP\n";

const CaptureRules& rules() { return kernel_capture_rules(); }

// Feeds `stream` to a capture by the kernel's rules, cut at `cut` (when not
// 0) and then in 64 KiB pieces.
Captured capture(const std::string& stream, uint64_t cut = 0, bool early_exit = false,
                 uint64_t linked_whole = 0) {
  Feed feed;
  feed.rules = &rules();
  if (cut != 0) feed.cuts.push_back(cut);
  feed.early_exit = early_exit;
  feed.linked_whole = linked_whole;
  return testing::run_capture(stream, feed);
}

// Filler without any marker, as most of a kernel is.
std::string filler(uint64_t size) { return std::string(size, 'x'); }

TEST(KernelCaptureRules, ARawImageKeepsWhatFollowsEachTableMagicAndBanner) {
  std::string stream = filler(8 * kMiB);
  stream.replace(5 * kMiB, kBanner.size(), kBanner);
  stream.replace(6 * kMiB, 4, "LVUP");
  stream.replace(7 * kMiB, 4, "PUVL");
  const Captured c = capture(stream);
  EXPECT_TRUE(c.buffer->covers(0, StreamCapture::kHead));
  EXPECT_FALSE(c.buffer->covers(StreamCapture::kHead, 1));
  EXPECT_EQ(kept(c, 5 * kMiB, kBanner.size()), kBanner);
  EXPECT_FALSE(c.buffer->covers(5 * kMiB + 1024, 1));
  EXPECT_TRUE(c.buffer->covers(6 * kMiB, kTableBytes));
  EXPECT_TRUE(c.buffer->covers(7 * kMiB, kTableBytes));
  EXPECT_FALSE(c.buffer->covers(6 * kMiB + kMiB / 2, 1));
}

TEST(KernelCaptureRules, AMarkerCutByAChunkBoundaryIsKept) {
  constexpr uint64_t kAt = 5 * kMiB + 3;
  for (const std::string marker : {"PUVL", "LVUP", "Linux version 6"}) {
    std::string stream = filler(6 * kMiB);
    stream.replace(kAt, marker.size(), marker);
    for (uint64_t cut = kAt - 14; cut <= kAt + marker.size() + 1; ++cut) {
      SCOPED_TRACE(marker + " cut at +" + std::to_string(cut - kAt));
      EXPECT_EQ(kept(capture(stream, cut), kAt, marker.size()), marker);
    }
  }
}

TEST(KernelCaptureRules, ATableStartingInTheHeadIsKeptPastIt) {
  std::string stream = filler(6 * kMiB);
  stream.replace(StreamCapture::kHead - 100, 4, "PUVL");
  EXPECT_TRUE(capture(stream).buffer->covers(StreamCapture::kHead - 100, kTableBytes));
}

TEST(KernelCaptureRules, MoreCandidatesThanAKernelHasIsALimitError) {
  constexpr uint64_t kGap = 1100, kFrom = StreamCapture::kHead + 1000;
  std::string stream = filler(kFrom + 4097 * kGap + 1000);
  for (uint64_t i = 0; i < 4097; ++i) stream.replace(kFrom + i * kGap, kBanner.size(), kBanner);
  try {
    (void)capture(stream);
    ADD_FAILURE() << "4097 candidates were kept";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.error().kind, ErrorKind::limit);
    EXPECT_EQ(e.error().offset, kFrom + 4096 * kGap);
    EXPECT_EQ(e.error().message, "more than 4096 table or banner candidates in one stream");
  }
}

// An ELF of `size` bytes: a note segment at `note`, a loaded segment over
// [0, `load_end`), a .modinfo at 2 MiB when it fits, section headers at the end.
struct ElfImage {
  std::string bytes;
  uint64_t note = 0;
  uint64_t shoff = 0;
  uint64_t modinfo = 0;
};

ElfImage elf_file(uint64_t size, uint64_t note, uint64_t load_end) {
  ElfBuilder b(ET_EXEC);
  const size_t n = b.section(".notes", std::string(36, 'n'), SHT_NOTE, SHF_ALLOC, 0, note);
  const size_t modinfo = b.section(".modinfo", "license=GPL", SHT_PROGBITS, 0, 0,
                                   std::max<uint64_t>(2 * kMiB, note + kMiB / 2));
  b.section(".data", filler(size - b.offset_of(modinfo) - 11 - 4096), SHT_PROGBITS,
            SHF_ALLOC | SHF_WRITE);
  b.segment(PT_LOAD, 0, load_end, 0xffff0000);
  b.segment(PT_NOTE, b.offset_of(n), 36, 0xffff0000 + b.offset_of(n));
  ElfImage e{b.build(), b.offset_of(n), 0, b.offset_of(modinfo)};
  e.shoff =
      load<uint64_t>(as_bytes(e.bytes).data() + offsetof(Elf64_Ehdr, e_shoff), ByteOrder::little);
  return e;
}

TEST(KernelCaptureRules, AnElfIsAFileAndSoIsAKernelsPayload) {
  const ElfImage e = elf_file(3 * kMiB, 2 * kMiB, 3 * kMiB);
  EXPECT_TRUE(rules().is_file(as_bytes(e.bytes)));
  EXPECT_TRUE(rules().is_payload(as_bytes(e.bytes)));
  // A raw kernel: its banner, as the kernel prints it.
  const std::string raw = filler(20000) +
                          "Linux version 6.1.0-test (builder@host) (gcc 12) #1 SMP\n" + '\0' +
                          filler(20000);
  EXPECT_FALSE(rules().is_file(as_bytes(std::string_view(raw))));
  EXPECT_TRUE(rules().is_payload(as_bytes(std::string_view(raw))));
  EXPECT_FALSE(rules().is_payload(as_bytes(std::string_view("not a kernel"))));
}

TEST(KernelCaptureRules, RawBytesWithATableMagicHoldTheirContent) {
  for (const std::string_view with : {"..PUVL..", "..LVUP.."})
    EXPECT_TRUE(rules().holds_content(as_bytes(with))) << with;
  // A banner alone is a kernel, not a table: a decompressor prints one too.
  EXPECT_FALSE(rules().holds_content(as_bytes(std::string_view(kBanner))));
}

TEST(KernelCaptureRules, ASmallElfKeepsAllOfItsHead) {
  const ElfImage e = elf_file(3 * kMiB, 2 * kMiB - 4096, 3 * kMiB);
  EXPECT_TRUE(capture(e.bytes).buffer->covers(0, e.bytes.size()));
}

TEST(KernelCaptureRules, ALargeElfKeepsOnlyItsHeadersNotesAndSectionNames) {
  // Its section headers lie past the head: the head shrinks to the headers.
  const ElfImage e = elf_file(7 * kMiB, 2 * kMiB - 4096, 7 * kMiB);
  ASSERT_GT(e.shoff, StreamCapture::kHead);
  const Captured c = capture(e.bytes);
  EXPECT_TRUE(c.buffer->covers(0, StreamCapture::kLargeFileHead));
  EXPECT_FALSE(c.buffer->covers(kMiB, 1));
  EXPECT_EQ(kept(c, e.note, 36), std::string(36, 'n'));
  // The section names sit right before the section headers.
  EXPECT_TRUE(c.buffer->covers(e.shoff - kMiB, e.bytes.size() - (e.shoff - kMiB)));
  EXPECT_FALSE(c.buffer->covers(e.shoff - kMiB - 1, 1));
}

TEST(KernelCaptureRules, ALinkedElfWithinTheBoundIsKeptWholeAsFarAsItsHeadersSay) {
  const ElfImage e = elf_file(7 * kMiB, 2 * kMiB - 4096, 6 * kMiB);
  const std::string stream = e.bytes + filler(3 * kMiB);  // x86's relocations follow the vmlinux
  const Captured c = capture(stream, 0, false, 8 * kMiB);
  EXPECT_TRUE(c.buffer->covers(0, e.bytes.size()));
  EXPECT_FALSE(c.buffer->covers(e.bytes.size(), 1));
  EXPECT_FALSE(capture(stream, 0, false, 6 * kMiB).buffer->covers(kMiB, 1));
}

TEST(KernelCaptureRules, EarlyExitStopsAtTheEndOfTheSegmentHoldingTheNotes) {
  const ElfImage e = elf_file(6 * kMiB, 512 << 10, kMiB);
  const Captured stopped = capture(e.bytes, 0, true);
  EXPECT_TRUE(stopped.stopped);
  EXPECT_EQ(stopped.size, kMiB);
  // Notes outside every loaded segment: nothing says where the table ends.
  const ElfImage outside = elf_file(6 * kMiB, 2 * kMiB, kMiB);
  const Captured c = capture(outside.bytes, 0, true);
  EXPECT_FALSE(c.stopped);
  EXPECT_EQ(c.size, outside.bytes.size());
}

Unwrapped unwrap_kernel(const std::string& input, bool early_exit = false) {
  UnwrapOptions options;
  options.rules = &rules();
  options.early_exit = early_exit;
  return unwrap(as_bytes(std::string_view(input)), options);
}

bool present(const Unwrapped& u, uint64_t offset, uint64_t size) {
  if (u.present.empty()) return true;
  for (const ByteRange& r : u.present)
    if (r.offset <= offset && offset + size <= r.end()) return true;
  return false;
}

TEST(KernelCaptureRules, ACompressedElfIsRefilledWithTheSectionsItsReaderOpens) {
  // The first pass keeps the headers, notes and section names; .modinfo,
  // which the ELF reader opens, is fetched by a second pass.
  const ElfImage e = elf_file(6 * kMiB, 512 << 10, kMiB);
  for (const std::string& stream : {testing::gzip(e.bytes), testing::lzma_alone(e.bytes)}) {
    const Unwrapped u = unwrap_kernel(stream);
    EXPECT_EQ(u.kind, Innermost::file);
    ASSERT_EQ(u.bytes.size(), e.bytes.size());
    EXPECT_TRUE(present(u, e.modinfo, 11));
    EXPECT_EQ(as_chars(u.bytes.subspan(e.modinfo, 11)), "license=GPL");
    // What no reader opens is not kept: it reads as zeros.
    EXPECT_FALSE(present(u, 3 * kMiB, 1));
  }
}

TEST(KernelCaptureRules, EarlyExitCutsACompressedElfAfterTheSegmentWithTheNotes) {
  const ElfImage e = elf_file(6 * kMiB, 512 << 10, kMiB);
  const Unwrapped u = unwrap_kernel(testing::gzip(e.bytes), true);
  EXPECT_TRUE(u.cut);
  EXPECT_GE(u.bytes.size(), kMiB);
  EXPECT_LT(u.bytes.size(), e.bytes.size());
  ASSERT_EQ(u.chain.size(), 1u);
  ASSERT_FALSE(u.chain[0].details.empty());
  EXPECT_EQ(u.chain[0].details.back().second,
            fmt::format("stopped after {} bytes, past the segment that holds the notes and the "
                        "table",
                        u.bytes.size()));
}

}  // namespace
}  // namespace lucompat
