#include "container/stream_capture.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace lucompat {
namespace {

// How much of the previous chunk is kept to find a marker split by the boundary.
size_t overlap(const CaptureRules& rules) {
  const size_t longest = rules.markers().longest;
  return longest == 0 ? 0 : longest - 1;
}

}  // namespace

void StreamCapture::decide(Bytes first) {
  mode_ = Mode::raw;
  if (rules_->is_file(first)) {
    mode_ = Mode::file;
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

void StreamCapture::plan_file(uint64_t available) {
  // The header is in the head; the rules read just what says where the
  // parts are. Their validation belongs to the file's reader, later.
  planned_from_ = std::min<uint64_t>(available, kHead);
  plan_ = rules_->plan_file(buffer_->view(planned_from_));
  if (!plan_) return;
  for (const ByteRange& r : plan_->keep) add_range(r.offset, r.end());
  if (!keep_linked_file(plan_->linked_end) && plan_->tables_at > kHead)
    head_ = std::max<uint64_t>(kLargeFileHead, available);
}

// The head grows to the end a linked file's headers give when that is
// within the bound and the process-wide budget for data kept whole.
bool StreamCapture::keep_linked_file(uint64_t end) {
  if (linked_file_whole_ == 0 || end == 0) return false;
  if (end <= head_ || end > linked_file_whole_ || !buffer_->try_keep_whole(end)) return false;
  head_ = end;
  return true;
}

void StreamCapture::hit(uint64_t abs, const MarkerFound& found) {
  for (const auto& r : ranges_)
    if (r.offset <= abs && abs + found.length <= r.end()) return;  // already kept
  const MarkerShape& shape = rules_->markers();
  if (++candidates_ > shape.max_candidates)
    fail(ErrorKind::limit, abs,
         fmt::format("more than {} {} candidates in one stream", shape.max_candidates, shape.what));
  add_range(abs, abs + found.span);
  if (abs < pos_) {  // the part already gone by is in the tail
    const uint64_t tail_start = pos_ - tail_.size();
    buffer_->write(abs, as_bytes(std::string_view(tail_).substr(abs - tail_start)));
  }
}

void StreamCapture::scan(Bytes chunk) {
  // Markers that start in the previous chunk's tail and end in this one.
  std::string seam = tail_;
  seam.append(as_chars(chunk.first(std::min(chunk.size(), overlap(*rules_)))));
  const uint64_t seam_start = pos_ - tail_.size();
  hits_.clear();
  rules_->find_markers(as_bytes(std::string_view(seam)), hits_);
  for (const MarkerFound& h : hits_)
    if (h.offset < tail_.size() && h.offset + h.length > tail_.size())
      hit(seam_start + h.offset, h);
  // The head is kept whole: only markers whose span reaches past it matter.
  const uint64_t from = head_ - std::min(head_, rules_->markers().widest_span);
  const uint64_t skip = pos_ >= from ? 0 : std::min<uint64_t>(chunk.size(), from - pos_);
  hits_.clear();
  rules_->find_markers(chunk.subspan(skip), hits_);
  for (const MarkerFound& h : hits_) hit(pos_ + skip + h.offset, h);
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

void StreamCapture::plan_index() {
  index_planned_ = true;
  const IndexPlan more =
      rules_->plan_index(buffer_->view(std::max(plan_->index.end(), planned_from_)), *plan_);
  for (const ByteRange& r : more.keep)
    if (r.offset >= pos_) add_range(r.offset, r.end());
  if (!early_exit_) return;
  stop_at_ = more.stop_at;
  stop_after_ = more.stop_after;
}

bool StreamCapture::consume(Bytes chunk) {
  // Codecs with large blocks (lz4's are 8 MiB) hand over whole blocks: take
  // them in small pieces, so that a file's header is planned before most of
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
  if (mode_ == Mode::file && pos_ == 0) plan_file(chunk.size());
  scan(chunk);
  copy_ranges(chunk);
  pos_ += chunk.size();
  if (plan_ && !index_planned_ && plan_->index.size != 0 &&
      buffer_->covers(plan_->index.offset, plan_->index.size))
    plan_index();
  const size_t keep = overlap(*rules_);
  tail_ += as_chars(chunk.last(std::min(chunk.size(), keep)));
  if (tail_.size() > keep) tail_.erase(0, tail_.size() - keep);
  return pos_ < stop_at_;
}

}  // namespace lucompat
