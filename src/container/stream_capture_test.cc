// The stream capture through its public members, driven by the test rules
// (test_rules.h): what a stream of each kind keeps, markers cut by a chunk
// boundary, the head of a large file, where early exit stops, the refill
// pass, and the cap on candidates. What the kernel's rules make of an ELF
// and of the table magics is in inspect/kernel_capture_rules_test.cc.
#include "container/stream_capture.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "container/test_capture.h"
#include "container/test_rules.h"

namespace lucompat {
namespace {

using testing::Captured;
using testing::Feed;
using testing::kept;
using testing::kTestRules;
using testing::test_file;
using testing::TestRules;

constexpr uint64_t kMiB = uint64_t{1} << 20;

// A feed under the test rules.
Feed fed() {
  Feed feed;
  feed.rules = &kTestRules;
  return feed;
}

Captured capture(const std::string& stream, const Feed& feed = fed()) {
  return testing::run_capture(stream, feed);
}

// Filler without any marker.
std::string filler(uint64_t size) { return std::string(size, 'x'); }

TEST(StreamCapture, ANestedContainerIsKeptWhole) {
  const std::string stream = "\x1f\x8b\x08" + filler(6 * kMiB);
  const Captured c = capture(stream);
  ASSERT_EQ(c.buffer->present().size(), 1u);
  EXPECT_EQ(c.buffer->present()[0].size, stream.size());
  EXPECT_EQ(c.size, stream.size());
}

TEST(StreamCapture, WithoutRulesEveryByteIsKept) {
  // Nothing says what a reader touches: dropping any byte could lose it.
  std::string stream = test_file(6 * kMiB, 64, 5 * kMiB, {0, 0, kMiB});
  Feed feed = fed();
  feed.rules = nullptr;
  feed.early_exit = true;
  const Captured c = capture(stream, feed);
  EXPECT_TRUE(c.buffer->covers(0, stream.size()));
  EXPECT_FALSE(c.stopped);
}

TEST(StreamCapture, ARawImageKeepsItsHeadAndWhatFollowsEachMarker) {
  std::string stream = filler(8 * kMiB);
  stream.replace(5 * kMiB, 9, "LONG-MARK");
  stream.replace(6 * kMiB, 4, "MARK");
  const Captured c = capture(stream);
  EXPECT_TRUE(c.buffer->covers(0, StreamCapture::kHead));
  EXPECT_FALSE(c.buffer->covers(StreamCapture::kHead, 1));
  EXPECT_TRUE(c.buffer->covers(5 * kMiB, TestRules::kLongMarkSpan));
  EXPECT_FALSE(c.buffer->covers(5 * kMiB + TestRules::kLongMarkSpan, 1));
  EXPECT_EQ(kept(c, 5 * kMiB, 9), "LONG-MARK");
  EXPECT_TRUE(c.buffer->covers(6 * kMiB, TestRules::kMarkSpan));
  EXPECT_FALSE(c.buffer->covers(6 * kMiB + TestRules::kMarkSpan, 1));
  EXPECT_FALSE(c.buffer->covers(7 * kMiB, 1));
}

TEST(StreamCapture, KeepingAllKeepsEveryByte) {
  const std::string stream = filler(6 * kMiB);
  Feed feed = fed();
  feed.early_exit = feed.keep_all = true;
  const Captured c = capture(stream, feed);
  EXPECT_TRUE(c.buffer->covers(0, stream.size()));
  EXPECT_FALSE(c.stopped);
}

TEST(StreamCapture, AMarkerCutByAChunkBoundaryIsKept) {
  constexpr uint64_t kAt = 5 * kMiB + 3;
  for (const std::string marker : {"MARK", "LONG-MARK"}) {
    std::string stream = filler(6 * kMiB);
    stream.replace(kAt, marker.size(), marker);
    // Every cut through the marker and around it, then pieces of one byte.
    for (uint64_t cut = kAt - 10; cut <= kAt + marker.size() + 1; ++cut) {
      SCOPED_TRACE(marker + " cut at +" + std::to_string(cut - kAt));
      Feed feed = fed();
      feed.cuts = {cut};
      const Captured c = capture(stream, feed);
      EXPECT_TRUE(c.buffer->covers(kAt, marker.size()));
      EXPECT_EQ(kept(c, kAt, marker.size()), marker);
    }
    Feed bytewise = fed();
    for (uint64_t p = kAt - 20; p <= kAt + 20; ++p) bytewise.cuts.push_back(p);
    const Captured c = capture(stream, bytewise);
    EXPECT_EQ(kept(c, kAt, marker.size()), marker) << marker;
  }
}

TEST(StreamCapture, AMarkerThatRunsPastAnotherOnesWindowIsKeptWhole) {
  // Its first bytes lie in the window of the marker before it, its last
  // ones past it: it is a candidate of its own (a banner at the end of a
  // table's window was cut to the window).
  constexpr uint64_t kAt = 5 * kMiB;
  std::string stream = filler(6 * kMiB);
  stream.replace(kAt, 4, "MARK");
  stream.replace(kAt + TestRules::kMarkSpan - 5, 9, "LONG-MARK");
  const Captured c = capture(stream);
  EXPECT_EQ(kept(c, kAt + TestRules::kMarkSpan - 5, 9), "LONG-MARK");
}

TEST(StreamCapture, AMarkerStartingInTheHeadIsKeptPastIt) {
  std::string stream = filler(6 * kMiB);
  stream.replace(StreamCapture::kHead - 100, 9, "LONG-MARK");
  const Captured c = capture(stream);
  EXPECT_TRUE(c.buffer->covers(StreamCapture::kHead - 100, TestRules::kLongMarkSpan));
}

TEST(StreamCapture, ASmallFileKeepsAllOfItsHead) {
  const std::string f = test_file(3 * kMiB, 64, 2 * kMiB, {0, 0, UINT64_MAX});
  const Captured c = capture(f);
  EXPECT_TRUE(c.buffer->covers(0, f.size()));
}

TEST(StreamCapture, ALargeFileKeepsItsHeadersAndWhatItsPlanNames) {
  // Its header tables lie past the head: the head shrinks to the headers.
  const uint64_t index_at = 5 * kMiB;
  const std::string f = test_file(7 * kMiB, index_at, 6 * kMiB, {6 * kMiB + 10, 50, UINT64_MAX});
  const Captured c = capture(f);
  EXPECT_TRUE(c.buffer->covers(0, StreamCapture::kLargeFileHead));
  EXPECT_FALSE(c.buffer->covers(StreamCapture::kLargeFileHead, 1));
  EXPECT_TRUE(c.buffer->covers(index_at, 24));
  EXPECT_FALSE(c.buffer->covers(index_at + 24, 1));
  EXPECT_TRUE(c.buffer->covers(6 * kMiB + 10, 50));
  EXPECT_FALSE(c.buffer->covers(6 * kMiB + 60, 1));
  EXPECT_FALSE(c.buffer->covers(6 * kMiB + 9, 1));
}

TEST(StreamCapture, ARangeThePlanNamesBehindTheStreamIsNotKept) {
  // The index comes late; a range it names that has gone by is the reader's
  // to ask for again (a refill), not the capture's to invent.
  const std::string f = test_file(7 * kMiB, 5 * kMiB, 6 * kMiB, {kMiB, 50, UINT64_MAX});
  const Captured c = capture(f);
  EXPECT_FALSE(c.buffer->covers(kMiB, 1));
}

TEST(StreamCapture, ALinkedFileWithinTheBoundIsKeptWholeAsFarAsItsHeadersSay) {
  const std::string f =
      test_file(7 * kMiB, 64, 6 * kMiB, {0, 0, UINT64_MAX}, 7 * kMiB) + filler(3 * kMiB);
  Feed feed = fed();
  feed.linked_whole = 8 * kMiB;
  const Captured c = capture(f, feed);
  EXPECT_TRUE(c.buffer->covers(0, 7 * kMiB));
  EXPECT_FALSE(c.buffer->covers(7 * kMiB, 1));
  // Past the bound, or with early exit, the plan as before.
  feed.linked_whole = 6 * kMiB;
  EXPECT_FALSE(capture(f, feed).buffer->covers(kMiB, 1));
  feed.linked_whole = 8 * kMiB;
  feed.early_exit = true;
  EXPECT_FALSE(capture(f, feed).buffer->covers(kMiB, 1));
}

TEST(StreamCapture, LinkedFilesKeptWholeShareOneBudget) {
  const std::string f = test_file(7 * kMiB, 64, 6 * kMiB, {0, 0, UINT64_MAX}, 7 * kMiB);
  auto held = std::make_unique<SparseBuffer>(SparseBuffer::kMaxKeptWhole);
  held->keep_whole(SparseBuffer::kMaxKeptWhole - 4 * kMiB);
  Feed feed = fed();
  feed.linked_whole = 8 * kMiB;
  EXPECT_FALSE(capture(f, feed).buffer->covers(kMiB, 1));  // no room left: sparse, not refused
}

TEST(StreamCapture, EarlyExitStopsWhereThePlanSaysTheReadersNeedsEnd) {
  const std::string f = test_file(6 * kMiB, 64, 5 * kMiB, {0, 0, kMiB});
  Feed feed = fed();
  feed.early_exit = true;
  const Captured stopped = capture(f, feed);
  EXPECT_TRUE(stopped.stopped);
  EXPECT_EQ(stopped.size, kMiB);
  for (const bool keep_all : {false, true}) {
    feed.early_exit = feed.keep_all = keep_all;
    const Captured whole = capture(f, feed);
    EXPECT_FALSE(whole.stopped);
    EXPECT_EQ(whole.size, f.size());
  }
  // A plan that does not say where the needs end: no stop.
  feed.early_exit = true;
  feed.keep_all = false;
  EXPECT_FALSE(capture(test_file(6 * kMiB, 64, 5 * kMiB, {0, 0, UINT64_MAX}), feed).stopped);
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

// Markers `gap` bytes apart, `count` of them, from `from` on.
std::string with_marks(std::string stream, uint64_t from, uint64_t count, uint64_t gap) {
  for (uint64_t i = 0; i < count; ++i) stream.replace(from + i * gap, 4, "MARK");
  return stream;
}

TEST(StreamCapture, MoreCandidatesThanTheRulesAllowIsALimitError) {
  constexpr uint64_t kGap = 200, kFrom = StreamCapture::kHead + 1000;
  constexpr uint64_t kMax = TestRules::kMaxCandidates;
  const std::string base = filler(kFrom + (kMax + 1) * kGap + 1000);
  EXPECT_NO_THROW((void)capture(with_marks(base, kFrom, kMax, kGap)));
  try {
    (void)capture(with_marks(base, kFrom, kMax + 1, kGap));
    ADD_FAILURE() << "more candidates than allowed were kept";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.error().kind, ErrorKind::limit);
    EXPECT_EQ(e.error().offset, kFrom + kMax * kGap);
    EXPECT_EQ(e.error().message, "more than 64 test marker candidates in one stream");
  }
}

TEST(StreamCapture, MarkersInTheHeadAreNoCandidates) {
  // The head is kept whole: a marker there costs nothing, however many.
  const std::string stream = with_marks(filler(5 * kMiB), 0, 5000, 600);
  const Captured c = capture(stream);
  EXPECT_TRUE(c.buffer->covers(0, StreamCapture::kHead));
}

}  // namespace
}  // namespace lucompat
