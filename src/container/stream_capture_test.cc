// The stream capture through its public members: what a stream of each kind
// keeps, markers cut by a chunk boundary, the head of a large ELF, where
// early exit stops, the refill pass, and the cap on candidates.
#include "container/stream_capture.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "elf/test_elf.h"
#include "lucompat/table/table_format.h"

namespace lucompat {
namespace {

using testing::ElfBuilder;

constexpr uint64_t kMiB = uint64_t{1} << 20;
// Every byte a table at a magic can occupy: its header and the most entries
// a table may have.
constexpr uint64_t kTableBytes = 8 + 48 * kMaxTableEntries;
const std::string kBanner = "Linux version 6.1.0-test (builder@host) #1 SMP\n";

struct Captured {
  std::unique_ptr<SparseBuffer> buffer;
  uint64_t size = 0;     // what the capture saw
  bool stopped = false;  // consume() said the rest is not needed
};

// Feeds `stream` to a capture, cut at `cuts` (ascending offsets) and then in
// `chunk`-byte pieces.
Captured capture(const std::string& stream, const std::vector<uint64_t>& cuts,
                 size_t chunk = 64 << 10, bool early_exit = false, bool keep_all = false) {
  Captured out{std::make_unique<SparseBuffer>(stream.size())};
  StreamCapture c(*out.buffer, early_exit, keep_all);
  std::vector<uint64_t> at = cuts;
  for (uint64_t p = cuts.empty() ? 0 : cuts.back(); p < stream.size(); p += chunk) at.push_back(p);
  at.push_back(stream.size());
  uint64_t from = 0;
  for (uint64_t to : at) {
    if (to <= from) continue;
    if (!c.consume(as_bytes(std::string_view(stream).substr(from, to - from)))) {
      out.stopped = true;
      break;
    }
    from = to;
  }
  out.size = c.size();
  return out;
}

std::string_view kept(const Captured& c, uint64_t offset, uint64_t size) {
  return as_chars(c.buffer->view(offset + size).subspan(offset));
}

// Filler without any marker, as most of a kernel is.
std::string filler(uint64_t size) { return std::string(size, 'x'); }

TEST(StreamCapture, ANestedContainerIsKeptWhole) {
  const std::string stream = "\x1f\x8b\x08" + filler(6 * kMiB);
  const Captured c = capture(stream, {});
  ASSERT_EQ(c.buffer->present().size(), 1u);
  EXPECT_EQ(c.buffer->present()[0].size, stream.size());
  EXPECT_EQ(c.size, stream.size());
}

TEST(StreamCapture, ARawImageKeepsItsHeadAndWhatFollowsEachMarker) {
  std::string stream = filler(8 * kMiB);
  stream.replace(5 * kMiB, kBanner.size(), kBanner);
  stream.replace(6 * kMiB, 4, "LVUP");
  const Captured c = capture(stream, {});
  EXPECT_TRUE(c.buffer->covers(0, StreamCapture::kHead));
  EXPECT_FALSE(c.buffer->covers(StreamCapture::kHead, 1));
  EXPECT_TRUE(c.buffer->covers(5 * kMiB, kBanner.size()));
  EXPECT_EQ(kept(c, 5 * kMiB, kBanner.size()), kBanner);
  EXPECT_TRUE(c.buffer->covers(6 * kMiB, kTableBytes));
  EXPECT_FALSE(c.buffer->covers(7 * kMiB, 1));
}

TEST(StreamCapture, KeepingAllKeepsEveryByte) {
  const std::string stream = filler(6 * kMiB);
  const Captured c = capture(stream, {}, 64 << 10, true, true);
  EXPECT_TRUE(c.buffer->covers(0, stream.size()));
  EXPECT_FALSE(c.stopped);
}

TEST(StreamCapture, AMarkerCutByAChunkBoundaryIsKept) {
  constexpr uint64_t kAt = 5 * kMiB + 3;
  for (const std::string marker : {"PUVL", "LVUP", "Linux version 6"}) {
    std::string stream = filler(6 * kMiB);
    stream.replace(kAt, marker.size(), marker);
    // Every cut through the marker and around it, then pieces of one byte.
    for (uint64_t cut = kAt - 14; cut <= kAt + marker.size() + 1; ++cut) {
      SCOPED_TRACE(marker + " cut at +" + std::to_string(cut - kAt));
      const Captured c = capture(stream, {cut});
      EXPECT_TRUE(c.buffer->covers(kAt, marker.size()));
      EXPECT_EQ(kept(c, kAt, marker.size()), marker);
    }
    std::vector<uint64_t> bytewise;
    for (uint64_t p = kAt - 20; p <= kAt + 20; ++p) bytewise.push_back(p);
    const Captured c = capture(stream, bytewise);
    EXPECT_EQ(kept(c, kAt, marker.size()), marker) << marker;
  }
}

TEST(StreamCapture, ATableStartingInTheHeadIsKeptPastIt) {
  std::string stream = filler(6 * kMiB);
  stream.replace(StreamCapture::kHead - 100, 4, "PUVL");
  const Captured c = capture(stream, {});
  EXPECT_TRUE(c.buffer->covers(StreamCapture::kHead - 100, kTableBytes));
}

// An ELF of `size` bytes: a note segment at `note`, a loaded segment over
// [0, `load_end`), section headers at the end.
struct ElfImage {
  std::string bytes;
  uint64_t note = 0;
  uint64_t shoff = 0;
};

ElfImage elf_file(uint64_t size, uint64_t note, uint64_t load_end) {
  ElfBuilder b(ET_EXEC);
  const size_t n = b.section(".notes", std::string(36, 'n'), SHT_NOTE, SHF_ALLOC, 0, note);
  b.section(".data", filler(size - b.offset_of(n) - 36 - 4096), SHT_PROGBITS,
            SHF_ALLOC | SHF_WRITE);
  b.segment(PT_LOAD, 0, load_end, 0xffff0000);
  b.segment(PT_NOTE, b.offset_of(n), 36, 0xffff0000 + b.offset_of(n));
  ElfImage e{b.build(), b.offset_of(n), 0};
  e.shoff =
      load<uint64_t>(as_bytes(e.bytes).data() + offsetof(Elf64_Ehdr, e_shoff), ByteOrder::little);
  return e;
}

TEST(StreamCapture, ASmallElfKeepsAllOfItsHead) {
  const ElfImage e = elf_file(3 * kMiB, 2 * kMiB, 3 * kMiB);
  const Captured c = capture(e.bytes, {});
  EXPECT_TRUE(c.buffer->covers(0, e.bytes.size()));
}

TEST(StreamCapture, ALargeElfKeepsOnlyItsHeadersNotesAndSectionNames) {
  // Its section headers lie past the head: the head shrinks to the headers.
  const ElfImage e = elf_file(7 * kMiB, 2 * kMiB, 7 * kMiB);
  ASSERT_GT(e.shoff, StreamCapture::kHead);
  const Captured c = capture(e.bytes, {});
  EXPECT_TRUE(c.buffer->covers(0, StreamCapture::kLargeElfHead));
  EXPECT_FALSE(c.buffer->covers(kMiB, 1));
  EXPECT_TRUE(c.buffer->covers(e.note, 36));
  EXPECT_EQ(kept(c, e.note, 36), std::string(36, 'n'));
  // The section names sit right before the section headers.
  EXPECT_TRUE(c.buffer->covers(e.shoff - kMiB, e.bytes.size() - (e.shoff - kMiB)));
  EXPECT_FALSE(c.buffer->covers(e.shoff - kMiB - 1, 1));
}

TEST(StreamCapture, ALinkedElfWithinTheBoundIsKeptWholeAsFarAsItsHeadersSay) {
  const ElfImage e = elf_file(7 * kMiB, 2 * kMiB, 6 * kMiB);
  const std::string stream = e.bytes + filler(3 * kMiB);  // x86's relocations follow the vmlinux
  auto buffer = std::make_unique<SparseBuffer>(stream.size());
  StreamCapture c(*buffer, false, false, container_probes(), 8 * kMiB);
  for (uint64_t at = 0; at < stream.size(); at += 64 << 10)
    ASSERT_TRUE(c.consume(as_bytes(std::string_view(stream).substr(at, 64 << 10))));
  EXPECT_TRUE(buffer->covers(0, e.bytes.size()));
  EXPECT_FALSE(buffer->covers(e.bytes.size(), 1));
  EXPECT_FALSE(c.whole());
  // Past the bound, or with early exit, the rules as before.
  for (const auto& [bound, early] : {std::pair{6 * kMiB, false}, std::pair{8 * kMiB, true}}) {
    auto b = std::make_unique<SparseBuffer>(stream.size());
    StreamCapture sparse(*b, early, false, container_probes(), bound);
    for (uint64_t at = 0; at < stream.size(); at += 64 << 10)
      if (!sparse.consume(as_bytes(std::string_view(stream).substr(at, 64 << 10)))) break;
    EXPECT_FALSE(b->covers(kMiB, 1));
  }
}

TEST(StreamCapture, LinkedElvesKeptWholeShareOneBudget) {
  const ElfImage e = elf_file(7 * kMiB, 2 * kMiB, 7 * kMiB);
  auto held = std::make_unique<SparseBuffer>(SparseBuffer::kMaxKeptWhole);
  held->keep_whole(SparseBuffer::kMaxKeptWhole - 4 * kMiB);
  auto buffer = std::make_unique<SparseBuffer>(e.bytes.size());
  StreamCapture c(*buffer, false, false, container_probes(), 8 * kMiB);
  for (uint64_t at = 0; at < e.bytes.size(); at += 64 << 10)
    ASSERT_TRUE(c.consume(as_bytes(std::string_view(e.bytes).substr(at, 64 << 10))));
  EXPECT_FALSE(buffer->covers(kMiB, 1));  // no room left: kept sparse, not refused
}

TEST(StreamCapture, EarlyExitStopsAtTheEndOfTheSegmentHoldingTheNotes) {
  const ElfImage e = elf_file(6 * kMiB, 512 << 10, kMiB);
  const Captured stopped = capture(e.bytes, {}, 64 << 10, true);
  EXPECT_TRUE(stopped.stopped);
  EXPECT_EQ(stopped.size, kMiB);
  for (const bool keep_all : {false, true}) {
    const Captured whole = capture(e.bytes, {}, 64 << 10, keep_all, keep_all);
    EXPECT_EQ(whole.stopped, false);
    EXPECT_EQ(whole.size, e.bytes.size());
  }
}

TEST(StreamCapture, EarlyExitNeedsASegmentThatHoldsTheNotes) {
  // Notes outside every loaded segment: nothing says where the table ends.
  const ElfImage e = elf_file(6 * kMiB, 2 * kMiB, kMiB);
  const Captured c = capture(e.bytes, {}, 64 << 10, true);
  EXPECT_FALSE(c.stopped);
  EXPECT_EQ(c.size, e.bytes.size());
}

TEST(StreamCapture, ARefillKeepsExactlyTheRangesAsked) {
  SparseBuffer b(1024);
  const std::vector<ByteRange> ranges{{10, 10}, {100, 50}};
  const std::string chunk = filler(40);
  StreamCapture::keep_only(b, ranges, 90, as_bytes(chunk));
  EXPECT_EQ(b.present().size(), 1u);
  EXPECT_TRUE(b.covers(100, 30));
  EXPECT_FALSE(b.covers(90, 10));
  StreamCapture::keep_only(b, ranges, 0, as_bytes(chunk));
  EXPECT_TRUE(b.covers(10, 10));
  EXPECT_FALSE(b.covers(20, 1));
  StreamCapture::keep_only(b, ranges, 200, as_bytes(chunk));
  EXPECT_EQ(b.present().size(), 2u);
}

// Banners `gap` bytes apart, `count` of them, from `from` on.
std::string with_banners(std::string stream, uint64_t from, uint64_t count, uint64_t gap) {
  for (uint64_t i = 0; i < count; ++i) stream.replace(from + i * gap, kBanner.size(), kBanner);
  return stream;
}

TEST(StreamCapture, MoreCandidatesThanAKernelHasIsALimitError) {
  constexpr uint64_t kGap = 1100, kFrom = StreamCapture::kHead + 1000;
  const std::string base = filler(kFrom + 4097 * kGap + 1000);
  EXPECT_NO_THROW((void)capture(with_banners(base, kFrom, 4096, kGap), {}));
  try {
    (void)capture(with_banners(base, kFrom, 4097, kGap), {});
    ADD_FAILURE() << "4097 candidates were kept";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.error().kind, ErrorKind::limit);
    EXPECT_EQ(e.error().offset, kFrom + 4096 * kGap);
  }
}

TEST(StreamCapture, MarkersInTheHeadAreNoCandidates) {
  // The head is kept whole: a marker there costs nothing, however many.
  const std::string stream = with_banners(filler(5 * kMiB), 0, 5000, 600);
  const Captured c = capture(stream, {});
  EXPECT_TRUE(c.buffer->covers(0, StreamCapture::kHead));
}

}  // namespace
}  // namespace lucompat
