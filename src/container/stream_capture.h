// What to keep of a stream while it decompresses, by the caller's
// CaptureRules. Small streams and nested containers are kept whole; a large
// file or raw image keeps only what its readers will touch: the first 4 MiB,
// the ranges a file's headers name (for an ELF: its header tables, the 1 MiB
// before the section headers where the section names are, its notes), and
// the window after every marker (a table magic, a "Linux version " banner).
// So peak memory stays flat however large the kernel, and the readers run
// unchanged on the sparse result.
//
// A linked file whose headers say it ends within a caller's bound is kept
// whole instead, as far as that end: inspect derives a kernel's
// registrations from every byte of it (kallsyms, BTF, its data), and
// decompressing it a second time for them cost as much as the first.
//
// With early exit the capture also says when to stop: past the offset the
// rules give once the file's index is read (for a kernel, the end of the
// loadable segment that holds its notes and table).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "container/probe.h"
#include "container/sparse_buffer.h"
#include "lucompat/container/capture_rules.h"

namespace lucompat {

class StreamCapture {
 public:
  // `rules`: what the readers touch; null, or `keep_all`: keep the whole
  // stream (no early exit). `probes` say which containers a stream may
  // start and how each is read. `linked_file_whole`: the bound on a linked
  // file kept whole (0: none), which also counts against
  // SparseBuffer::kMaxKeptWhole; past either, the rules.
  StreamCapture(SparseBuffer& buffer, const CaptureRules* rules, bool early_exit,
                bool keep_all = false,
                std::span<const ContainerProbe* const> probes = container_probes(),
                uint64_t linked_file_whole = 0)
      : buffer_(&buffer),
        rules_(keep_all ? nullptr : rules),
        mode_(rules_ == nullptr ? Mode::whole : Mode::undecided),
        early_exit_(early_exit && rules_ != nullptr),
        probes_(probes),
        linked_file_whole_(early_exit_ ? 0 : linked_file_whole) {}

  // Before the first consume(): keep the stream in `buffer` instead.
  void keep_in(SparseBuffer& buffer) { buffer_ = &buffer; }

  // The sink of the first pass: keeps by the rules above. Returns false when
  // early exit is on and the rest of the stream is not needed.
  bool consume(Bytes chunk);
  uint64_t size() const { return pos_; }
  // What the rules said the stream was stopped after (IndexPlan::stop_after).
  std::string_view stopped_after() const { return stop_after_; }
  bool whole() const { return mode_ == Mode::whole || pos_ <= head_; }

  // For a refill pass: keep exactly these ranges and nothing else.
  static void keep_only(SparseBuffer& buffer, const std::vector<ByteRange>& ranges, uint64_t at,
                        Bytes chunk);

  static constexpr uint64_t kHead = uint64_t{4} << 20;
  // What is kept of the head once a file's header shows a large file (its
  // header tables lie past kHead): the headers; the rest is found by the
  // rules, and the head's pages would be faulted in for nothing.
  static constexpr uint64_t kLargeFileHead = uint64_t{64} << 10;

 private:
  enum class Mode { undecided, whole, file, raw };

  void decide(Bytes first);
  void plan_file(uint64_t available);
  bool keep_linked_file(uint64_t end);
  void plan_index();
  void scan(Bytes chunk);
  void hit(uint64_t offset, const MarkerFound& found);
  void add_range(uint64_t begin, uint64_t end);
  void copy_ranges(Bytes chunk);

  SparseBuffer* buffer_;
  const CaptureRules* rules_;
  Mode mode_ = Mode::undecided;
  uint64_t pos_ = 0;
  std::vector<ByteRange> ranges_;  // to keep as the stream passes them
  bool early_exit_ = false;
  std::span<const ContainerProbe* const> probes_;
  uint64_t linked_file_whole_ = 0;
  uint64_t head_ = kHead;          // how much of the start is kept
  uint64_t stop_at_ = UINT64_MAX;  // past it, early exit stops
  std::string_view stop_after_;
  std::optional<FilePlan> plan_;  // a file's, once its header was read
  uint64_t planned_from_ = 0;     // the bytes its header was read from
  bool index_planned_ = false;
  std::string tail_;  // the last bytes of the previous chunk, for hits across chunks
  size_t candidates_ = 0;
  std::vector<MarkerFound> hits_;  // reused across chunks
};

}  // namespace lucompat
