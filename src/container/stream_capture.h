// What to keep of a stream while it decompresses. Small streams and nested
// containers are kept whole; a large ELF or raw image keeps only what its
// reader will touch: the first 4 MiB, the ELF header tables and the 1 MiB
// before the section headers (where the section names are), notes, and every
// place a table magic or a "Linux version " banner appears. So peak memory
// stays flat however large the kernel, and the readers run unchanged on the
// sparse result.
//
// A linked ELF (a kernel) whose headers say it ends within a caller's bound
// is kept whole instead, as far as that end: inspect derives a kernel's
// registrations from every byte of it (kallsyms, BTF, its data), and
// decompressing it a second time for them cost as much as the first.
//
// With early exit the capture also says when to stop: the table lives in
// RO_DATA, which the linker puts in the same loadable segment as the notes
// (PT_NOTE), and the program headers come first in the stream. Once the
// stream has passed the end of that segment, every byte the table, the banner
// and the build ID can occupy has gone by.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "container/probe.h"
#include "container/sparse_buffer.h"
#include "lucompat/elf/elf_layout.h"
#include "lucompat/elf/elf_records.h"
#include "lucompat/table/marker_scan.h"

namespace lucompat {

class StreamCapture {
 public:
  // `keep_all`: keep the whole stream (no rules, no early exit). `probes`
  // say which containers a stream may start and how each is read.
  // `linked_elf_whole`: the bound on a linked ELF kept whole (0: none), which
  // also counts against SparseBuffer::kMaxKeptWhole; past either, the rules.
  StreamCapture(SparseBuffer& buffer, bool early_exit, bool keep_all = false,
                std::span<const ContainerProbe* const> probes = container_probes(),
                uint64_t linked_elf_whole = 0)
      : buffer_(&buffer),
        mode_(keep_all ? Mode::whole : Mode::undecided),
        early_exit_(early_exit && !keep_all),
        probes_(probes),
        linked_elf_whole_(early_exit_ ? 0 : linked_elf_whole) {}

  // Before the first consume(): keep the stream in `buffer` instead.
  void keep_in(SparseBuffer& buffer) { buffer_ = &buffer; }

  // The sink of the first pass: keeps by the rules above. Returns false when
  // early exit is on and the rest of the stream is not needed.
  bool consume(Bytes chunk);
  uint64_t size() const { return pos_; }
  bool whole() const { return mode_ == Mode::whole || pos_ <= head_; }

  // For a refill pass: keep exactly these ranges and nothing else.
  static void keep_only(SparseBuffer& buffer, const std::vector<ByteRange>& ranges, uint64_t at,
                        Bytes chunk);

  static constexpr uint64_t kHead = uint64_t{4} << 20;
  // What is kept of the head once the ELF header shows a large file (its
  // section headers lie past kHead): the headers; the rest is found by the
  // rules above, and the head's pages would be faulted in for nothing.
  static constexpr uint64_t kLargeElfHead = uint64_t{64} << 10;

 private:
  enum class Mode { undecided, whole, elf, raw };

  void decide(Bytes first);
  void plan_elf(uint64_t available);
  bool keep_linked_elf(const ElfFileHeader& h, Bytes head);
  void plan_segments();
  void scan(Bytes chunk);
  void hit(uint64_t offset, uint64_t span);
  void add_range(uint64_t begin, uint64_t end);
  void copy_ranges(Bytes chunk);

  SparseBuffer* buffer_;
  Mode mode_ = Mode::undecided;
  uint64_t pos_ = 0;
  std::vector<ByteRange> ranges_;  // to keep as the stream passes them
  bool early_exit_ = false;
  std::span<const ContainerProbe* const> probes_;
  uint64_t linked_elf_whole_ = 0;
  uint64_t head_ = kHead;          // how much of the start is kept
  uint64_t stop_at_ = UINT64_MAX;  // the end of the segment holding the notes
  bool notes_planned_ = false;
  ByteRange phdrs_;
  uint64_t phnum_ = 0;  // the ELF's, once its header was planned
  int elf_class_ = 0;
  ByteOrder order_ = ByteOrder::little;
  std::string tail_;  // the last bytes of the previous chunk, for hits across chunks
  size_t candidates_ = 0;
  std::vector<MarkerHit> hits_;  // reused across chunks
};

}  // namespace lucompat
