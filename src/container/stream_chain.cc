#include "container/stream_chain.h"

#include <fmt/format.h>

#include <algorithm>

namespace lucompat {

StreamChain::StreamChain(const Codec& first, int depth, const UnwrapOptions& options,
                         OutputBudget& budget, Sink sink)
    : budget_(budget),
      depth_(depth),
      max_depth_(options.max_depth),
      max_output_(options.max_output),
      sink_(std::move(sink)) {
  add_stage(first);
}

void StreamChain::add_stage(const Codec& codec) {
  // The outermost stream was counted by the caller's own check.
  if (!stages_.empty() && static_cast<int64_t>(stages_.size()) + depth_ >= max_depth_)
    fail(
        ErrorKind::limit, std::nullopt,
        fmt::format("containers are nested more than {} deep (the --max-depth limit)", max_depth_));
  const size_t index = stages_.size();
  auto stage = std::make_unique<Stage>();
  stage->codec = &codec;
  stage->output = [this, index](Bytes chunk) { return deliver(index, chunk); };
  // Decoders keep a reference to their sink: the stage's, which does not move.
  stage->decoder = codec.open(stage->output, max_output_);
  stages_.push_back(std::move(stage));
  decided_ = false;
}

// An offset in a nested stream is into the data decompressed by the stage
// before it, which the caller cannot otherwise tell from one in the input. A
// limit has no offset and is about the whole input.
template <typename F>
void StreamChain::in_stage(size_t stage, F&& f) {
  if (stage == 0) return f();
  try {
    f();
  } catch (const ParseError& e) {
    if (!e.error().context.empty() || !e.error().offset) throw;
    Error error = e.error();
    error.context = "in the data decompressed from " + std::string(stages_[stage - 1]->codec->name);
    throw ParseError(std::move(error));
  }
}

bool StreamChain::deliver(size_t stage, Bytes chunk) {
  budget_.charge(chunk.size());
  if (stage + 1 < stages_.size()) return feed(stage + 1, chunk);
  if (decided_) return sink_(chunk);
  // Gathered only while the first piece is short of kSniff (a piece is
  // usually 64 KiB, an lz4 block 8 MiB, and is not copied).
  if (sniff_.empty() && chunk.size() >= kSniff) return decide(chunk);
  const size_t take = std::min(chunk.size(), kSniff - sniff_.size());
  sniff_.append(as_chars(chunk.first(take)));
  if (sniff_.size() < kSniff) return true;
  if (!decide_gathered()) return false;
  if (take == chunk.size()) return true;
  // The rest of the piece, to where the first of it went.
  const Bytes rest = chunk.subspan(take);
  return stage + 1 < stages_.size() ? feed(stage + 1, rest) : sink_(rest);
}

bool StreamChain::feed(size_t stage, Bytes chunk) {
  Stage& s = *stages_[stage];
  uint64_t used = 0;
  in_stage(stage, [&] { used = s.decoder->feed(chunk); });
  if (s.decoder->stopped()) return false;
  const Bytes rest = chunk.subspan(used);
  for (size_t i = 0; i < rest.size() && s.after + i < s.trailer.size(); ++i)
    s.trailer[s.after + i] = rest[i];
  s.after += rest.size();
  return true;
}

void StreamChain::offer(OutputArea area, std::function<void()> nested) {
  stages_.front()->decoder->offer(area);
  nested_ = std::move(nested);
}

bool StreamChain::decide(Bytes first) {
  decided_ = true;
  if (const Codec* codec = codec_at(first)) {
    if (nested_ && stages_.size() == 1) nested_();
    add_stage(*codec);
    return feed(stages_.size() - 1, first);
  }
  return first.empty() || sink_(first);
}

bool StreamChain::decide_gathered() {
  const std::string first = std::move(sniff_);
  sniff_.clear();
  return decide(as_bytes(std::string_view(first)));
}

void StreamChain::run(Bytes input) {
  feed(0, input);
  // Each stage's input is complete once the one before has ended; ending the
  // innermost may show that its output is another stream, which comes next.
  for (size_t i = 0; i < stages_.size(); ++i) {
    StreamDecoder& decoder = *stages_[i]->decoder;
    if (decoder.stopped()) return;
    in_stage(i, [&] { decoder.finish(); });
    if (i + 1 == stages_.size() && !decided_ && !decide_gathered()) return;
  }
}

}  // namespace lucompat
