// A compressed stream and every stream found at the start of its output,
// decoded together as the bytes come: a layer between two streams is never
// held, only the innermost output reaches the sink. An xz of four stored
// gzip layers of 300 MiB took 1.2 GB when each layer was kept whole for the
// next probe.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lucompat/container/codec.h"
#include "lucompat/container/unwrap.h"

namespace lucompat {

class StreamChain {
 public:
  struct Stage {
    const Codec* codec = nullptr;
    std::unique_ptr<StreamDecoder> decoder;
    Sink output;                         // feeds the next stage, or the chain's sink
    uint64_t after = 0;                  // bytes of the outer output past this stream's end
    std::array<std::byte, 4> trailer{};  // the first of them
  };

  // Decodes with `first`, inside `depth` containers already; a stream found
  // inside the innermost output becomes the next stage, up to the --max-depth
  // limit. Every stage's output is charged to `budget`; the innermost goes to
  // `sink`.
  StreamChain(const Codec& first, int depth, const UnwrapOptions& options, OutputBudget& budget,
              Sink sink);

  // Before run(): the outermost decoder may write its output into `area`
  // (StreamDecoder::offer), the memory the sink keeps the output in. Should
  // that output be another stream, the sink must keep the innermost one
  // elsewhere: `nested` is called, before the sink sees a byte, to say so.
  void offer(OutputArea area, std::function<void()> nested);
  // The outermost decoder's input, given back as it is read (UnwrapOptions).
  void release_input_as_read(std::function<void(Bytes)> release) {
    stages_.front()->decoder->release_input_as_read(std::move(release));
  }

  // Feeds the whole input to the outermost stream and ends every stage.
  // Throws ParseError: offsets are in the input for the outermost stream, else
  // in the data decompressed by the stage before (named in the context).
  void run(Bytes input);

  const std::vector<std::unique_ptr<Stage>>& stages() const { return stages_; }
  // The sink stopped the decoders (it is called by the innermost): every
  // stage was read only in part.
  bool stopped() const { return stages_.back()->decoder->stopped(); }

  // What is buffered to tell another stream from the innermost data: enough
  // for every probe's magic (a bzImage's is at 0x202).
  static constexpr size_t kSniff = 4096;

 private:
  void add_stage(const Codec& codec);
  bool deliver(size_t stage, Bytes chunk);
  bool feed(size_t stage, Bytes chunk);
  bool decide(Bytes first);
  bool decide_gathered();  // on what was gathered in sniff_
  template <typename F>
  void in_stage(size_t stage, F&& f);

  OutputBudget& budget_;
  const int depth_;
  const int max_depth_;
  const uint64_t max_output_;
  const Sink sink_;
  std::vector<std::unique_ptr<Stage>> stages_;
  std::function<void()> nested_;  // see offer()
  bool decided_ = false;          // whether the innermost output is another stream is known
  std::string sniff_;             // the innermost output until then
};

}  // namespace lucompat
