// What a reader will touch of a decompressed stream, told to the stream
// capture by the layer that knows the formats inside (inspect, which knows
// ELF and the table). The container layer decompresses and keeps what these
// rules name: it knows streams and containers, not what a kernel is made of.
//
// Two kinds of content are told apart. A *file* has headers that say where
// its parts lie (a kernel's ELF): the capture plans from its headers, and
// unwrapping ends at one. Anything else is raw: the capture keeps its head
// and a window after every *marker* (a table magic, a banner) in it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "lucompat/base/byte_range.h"
#include "lucompat/base/byte_reader.h"

namespace lucompat {

// A place in raw bytes whose next `span` bytes a reader looks at.
struct MarkerFound {
  uint64_t offset = 0;  // where the marker starts, in the bytes searched
  uint64_t length = 0;  // the marker's own bytes
  uint64_t span = 0;    // what is kept from `offset` on
};

// Every marker's shape, for a scan that reads a stream in chunks.
struct MarkerShape {
  size_t longest = 0;         // a marker cut by a chunk boundary is found with this many bytes kept
  uint64_t widest_span = 0;   // the most any marker keeps
  size_t max_candidates = 0;  // more in one stream is hostile, not a kernel: a limit error
  std::string_view what;      // names them in that error ("table or banner"); static text
};

// What a file's first bytes say about where its parts lie.
struct FilePlan {
  std::vector<ByteRange> keep;  // kept as the stream passes them
  // Where the last of its header tables starts: past the head, the head is
  // not kept whole (the rest is found by the plan).
  uint64_t tables_at = 0;
  // Where a linked file ends, by its headers; 0: unknown, or not linked.
  uint64_t linked_end = 0;
  // Read once kept, for the rest of the plan (plan_index); empty: none.
  ByteRange index;
};

// What a file's index (an ELF's program headers) adds.
struct IndexPlan {
  std::vector<ByteRange> keep;
  // Nothing a reader needs lies past this offset, so early exit may stop
  // here; UINT64_MAX: unknown.
  uint64_t stop_at = UINT64_MAX;
  // What lies before it, for the layer's early_exit detail ("the segment
  // that holds the notes and the table"): static text, which the capture
  // keeps a view of.
  std::string_view stop_after;
};

class CaptureRules {
 public:
  virtual ~CaptureRules() = default;

  // Whether `head` starts a file the readers take as it is.
  virtual bool is_file(Bytes head) const = 0;
  // The plan from a file's first bytes; nullopt when its header cannot be
  // read (its reader says what is wrong later, with the whole file).
  virtual std::optional<FilePlan> plan_file(Bytes head) const = 0;
  // The rest of the plan, from `data`: the file from its start through
  // `plan.index`, and at least the bytes plan_file() read, so what it
  // checked there holds. Ranges the stream has passed are dropped by the
  // caller.
  virtual IndexPlan plan_index(Bytes data, const FilePlan& plan) const = 0;
  // The ranges of `file` its reader needs that `covered` lacks, as far as
  // the covered ones let it see; empty once all are at hand. Throws
  // ParseError for a broken header.
  virtual std::vector<ByteRange> missing(Bytes file, const Covered& covered) const = 0;

  virtual const MarkerShape& markers() const = 0;
  // Appends every marker lying wholly inside `raw`, in offset order.
  virtual void find_markers(Bytes raw, std::vector<MarkerFound>& out) const = 0;

  // Whether decompressed bytes are what unwrapping looks for (a kernel), for
  // a payload found by scanning a decompressor, which no header points to.
  virtual bool is_payload(Bytes data) const = 0;
  // Whether raw bytes hold what the readers look for themselves (a table):
  // then they are no decompressor to search.
  virtual bool holds_content(Bytes data) const = 0;
};

}  // namespace lucompat
