#include "container/stream_capture.h"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include "lucompat/elf/elf_header.h"
#include "lucompat/elf/elf_records.h"
#include "lucompat/table/marker_scan.h"
#include "lucompat/table/table_format.h"

namespace lucompat {
namespace {

using namespace std::string_view_literals;

constexpr uint64_t kBannerSpan = 1024;
// objcopy and ld put the section name table right before the section headers.
constexpr uint64_t kNamesWindow = uint64_t{1} << 20;

constexpr size_t kOverlap = kLongestMarker - 1;

// What is kept after a table magic: the largest table any registered format allows.
uint64_t table_span() {
  static const uint64_t span = max_table_size();
  return span;
}

uint64_t span_of(Marker m) { return m == Marker::banner ? kBannerSpan : table_span(); }

}  // namespace

void StreamCapture::decide(Bytes first) {
  mode_ = Mode::raw;
  if (has_elf_magic(first)) {
    mode_ = Mode::elf;
    return;
  }
  for (const ContainerProbe* p : probes_)
    if (p->sniff != nullptr && p->sniff(first)) {
      mode_ = p->capture == Capture::whole ? Mode::whole : Mode::raw;
      return;
    }
}

void StreamCapture::add_range(uint64_t begin, uint64_t end) {
  if (end > begin) ranges_.push_back({begin, end - begin});
}

void StreamCapture::plan_elf(uint64_t available) {
  // The header is in the head; read just what says where the tables are.
  // Their validation belongs to the ELF reader, later.
  const Bytes head = buffer_->view(std::min<uint64_t>(available, kHead));
  ElfFileHeader h;
  try {
    h = read_file_header(head);
  } catch (const ParseError&) {
    return;  // the ELF reader says what is wrong with it, with the whole file
  }
  phdrs_ = {h.phoff, uint64_t{h.phentsize} * h.phnum};
  phnum_ = h.phnum;
  elf_class_ = h.elf_class;
  order_ = h.order;
  const uint64_t shoff = h.shoff;
  const uint64_t shdrs = uint64_t{h.shentsize} * h.shnum;
  add_range(phdrs_.offset, phdrs_.offset + phdrs_.size);
  if (!keep_linked_elf(h, head) && shoff > kHead)
    head_ = std::max<uint64_t>(kLargeElfHead, available);
  if (shoff != 0) {
    add_range(shoff > kNamesWindow ? shoff - kNamesWindow : 0, shoff);
    add_range(shoff, shoff + std::max<uint64_t>(shdrs, 64));
  }
}

// The head grows to the end a linked file's headers give when that is
// within the bound and the process-wide budget for data kept whole.
bool StreamCapture::keep_linked_elf(const ElfFileHeader& h, Bytes head) {
  if (linked_elf_whole_ == 0 || h.type == ET_REL) return false;
  uint64_t end = 0;
  try {
    end = declared_extent(head);
  } catch (const ParseError&) {
    return false;  // headers past the first piece: the rules apply
  }
  if (end <= head_ || end > linked_elf_whole_ || !buffer_->try_keep_whole(end)) return false;
  head_ = end;
  return true;
}

void StreamCapture::hit(uint64_t abs, uint64_t span) {
  for (const auto& r : ranges_)
    if (r.offset <= abs && abs + 4 <= r.offset + r.size) return;  // already kept
  if (++candidates_ > kMaxMarkerCandidates)
    fail(
        ErrorKind::limit, abs,
        fmt::format("more than {} table or banner candidates in one stream", kMaxMarkerCandidates));
  add_range(abs, abs + span);
  if (abs < pos_) {  // the part already gone by is in the tail
    const uint64_t tail_start = pos_ - tail_.size();
    buffer_->write(abs, as_bytes(std::string_view(tail_).substr(abs - tail_start)));
  }
}

void StreamCapture::scan(Bytes chunk) {
  // Markers that start in the previous chunk's tail and end in this one.
  std::string seam = tail_;
  seam.append(as_chars(chunk.first(std::min(chunk.size(), kOverlap))));
  const uint64_t seam_start = pos_ - tail_.size();
  hits_.clear();
  find_markers(as_bytes(std::string_view(seam)), hits_);
  for (const MarkerHit& h : hits_)
    if (h.offset < tail_.size() && h.offset + marker_bytes(h.marker).size() > tail_.size())
      hit(seam_start + h.offset, span_of(h.marker));
  // The head is kept whole: only markers whose span reaches past it matter.
  const uint64_t from = head_ - std::min(head_, table_span());
  const uint64_t skip = pos_ >= from ? 0 : std::min<uint64_t>(chunk.size(), from - pos_);
  hits_.clear();
  find_markers(chunk.subspan(skip), hits_);
  for (const MarkerHit& h : hits_) hit(pos_ + skip + h.offset, span_of(h.marker));
}

void StreamCapture::copy_ranges(Bytes chunk) {
  keep_only(*buffer_, ranges_, pos_, chunk);
  const uint64_t end = pos_ + chunk.size();
  std::erase_if(ranges_, [&](const ByteRange& r) { return r.offset + r.size <= end; });
}

void StreamCapture::keep_only(SparseBuffer& buffer, const std::vector<ByteRange>& ranges,
                              uint64_t at, Bytes chunk) {
  for (const auto& r : ranges) {
    const uint64_t begin = std::max(r.offset, at);
    const uint64_t end = std::min(r.offset + r.size, at + chunk.size());
    if (begin < end) buffer.write(begin, chunk.subspan(begin - at, end - begin));
  }
}

void StreamCapture::plan_segments() {
  notes_planned_ = true;
  const ByteReader r(buffer_->view(phdrs_.offset + phdrs_.size), order_);
  const uint64_t entsize = phdrs_.size / std::max<uint64_t>(1, phnum_);
  // Entries of another size: the ELF reader names the error, with the whole file.
  if (entsize < program_header_size(elf_class_)) return;
  std::vector<ByteRange> loads, notes;
  for (uint64_t i = 0; i < phnum_; ++i) {
    const ElfProgramHeader p = read_program_header(r, elf_class_, phdrs_.offset, entsize, i);
    if (p.type != PT_NOTE && p.type != PT_LOAD) continue;
    (p.type == PT_NOTE ? notes : loads).push_back({p.offset, p.filesz});
    if (p.type == PT_NOTE && p.offset >= pos_)
      add_range(p.offset, p.offset + std::min<uint64_t>(p.filesz, kHead));
  }
  if (!early_exit_ || notes.empty()) return;
  const ByteRange& note = notes.front();
  for (const ByteRange& load : loads)
    if (load.offset <= note.offset && note.offset - load.offset <= load.size &&
        note.size <= load.size - (note.offset - load.offset))
      stop_at_ = load.size > UINT64_MAX - load.offset ? UINT64_MAX : load.offset + load.size;
}

bool StreamCapture::consume(Bytes chunk) {
  // Codecs with large blocks (lz4's are 8 MiB) hand over whole blocks: take
  // them in small pieces, so that the ELF header is planned before most of
  // the head is kept, and each piece is scanned while in cache.
  constexpr size_t kPiece = size_t{64} << 10;
  if (chunk.size() > kPiece) {
    for (size_t at = 0; at < chunk.size(); at += kPiece)
      if (!consume(chunk.subspan(at, std::min(kPiece, chunk.size() - at)))) return false;
    return true;
  }
  if (mode_ == Mode::undecided) decide(chunk);
  if (mode_ == Mode::whole) {
    buffer_->keep_whole(chunk.size());
    buffer_->write(pos_, chunk);
    pos_ += chunk.size();
    return true;
  }
  if (pos_ < head_)
    buffer_->write(pos_, chunk.first(std::min<uint64_t>(chunk.size(), head_ - pos_)));
  // Planned before the first chunk's scan, which then knows how much of the
  // head is kept.
  if (mode_ == Mode::elf && pos_ == 0) plan_elf(chunk.size());
  scan(chunk);
  copy_ranges(chunk);
  pos_ += chunk.size();
  if (mode_ == Mode::elf && !notes_planned_ && phdrs_.size != 0 &&
      buffer_->covers(phdrs_.offset, phdrs_.size))
    plan_segments();
  tail_ += as_chars(chunk.last(std::min(chunk.size(), kOverlap)));
  if (tail_.size() > kOverlap) tail_.erase(0, tail_.size() - kOverlap);
  return pos_ < stop_at_;
}

}  // namespace lucompat
