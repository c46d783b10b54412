// A compressed stream at the start of the data: a .ko.xz, an Image.gz, the
// payload of a bzImage or zboot, and the streams nested in it.
#include <fmt/format.h>

#include <utility>

#include "container/probe.h"
#include "container/stream_capture.h"
#include "container/stream_chain.h"

namespace lucompat {
namespace {

// What a stream's decoding says about it, as a layer. `after`: whether bytes
// may follow the stream (a payload inside a decompressor). `stopped_after`:
// what early exit kept, in the capture rules' words.
Layer layer_of(const StreamChain::Stage& stage, bool last, AfterStream after,
               std::string_view stopped_after = {}) {
  const StreamDecoder& d = *stage.decoder;
  const std::string_view name = stage.codec->name;
  Layer layer;
  layer.kind = ContainerKind::compressed;
  layer.format = std::string(name);
  layer.compression = std::string(name);
  layer.size = d.consumed();
  if (d.stopped() || !d.ended()) {
    // What is known of a stream read only in part: no total size, no trailer.
    if (last)
      layer.details.emplace_back(
          "early_exit", stopped_after.empty() ? fmt::format("stopped after {} bytes", d.produced())
                                              : fmt::format("stopped after {} bytes, past {}",
                                                            d.produced(), stopped_after));
    return layer;
  }
  layer.decompressed_size = d.produced();
  layer.size_trailer = d.own_size();
  if (!layer.size_trailer && stage.after >= 4)
    layer.size_trailer = load<uint32_t>(stage.trailer.data(), ByteOrder::little);
  // A stream that records its own size (gzip) may be followed by anything,
  // and so may a payload inside a decompressor: the rest of its image.
  if (after == AfterStream::image && stage.after != 0)
    layer.details.emplace_back("bytes_after_stream", std::to_string(stage.after));
  else if (!d.own_size() && stage.after != 0 && stage.after != 4)
    layer.warnings.push_back(fmt::format(
        "{} bytes follow the {} stream; expected none or a 4-byte size", stage.after, name));
  if (layer.size_trailer && *layer.size_trailer != static_cast<uint32_t>(d.produced()) &&
      (d.own_size() || stage.after == 4))
    layer.warnings.push_back(
        fmt::format("the size trailer says {} bytes, but the stream decompressed to {}",
                    *layer.size_trailer, d.produced()));
  return layer;
}

// How the outermost decoder wrote: `direct` of its `produced` bytes went
// straight into the buffer.
struct Written {
  uint64_t direct = 0, produced = 0;
};

// The first pass kept what a file usually needs; if this one is laid out
// otherwise, its reader needs more (each step can reveal more: for an ELF,
// headers, then names, then sections). A decoder that wrote its output into
// the buffer left every byte there: those are kept now. Otherwise the stream
// is decompressed again for exactly the missing ranges.
void refill_file(const Codec& codec, Bytes data, const UnwrapOptions& options, int depth, Bytes out,
                 Written written, SparseBuffer& buffer) {
  const uint64_t size = out.size();
  const Covered covered = [&](uint64_t off, uint64_t n) {
    return off >= size || n > size - off || buffer.covers(off, n);
  };
  // Bytes read again are not counted twice against the input's total; each
  // stream's own cap still holds.
  OutputBudget again(UINT64_MAX);
  try {
    for (int pass = 0; pass < 3; ++pass) {
      const std::vector<ByteRange> missing = options.rules->missing(out, covered);
      if (missing.empty()) break;
      if (written.direct != 0 && written.direct == written.produced) {
        StreamCapture::keep_only(buffer, missing, 0, out);
        continue;
      }
      uint64_t at = 0;
      StreamChain refill(codec, depth, options, again, [&](Bytes chunk) {
        StreamCapture::keep_only(buffer, missing, at, chunk);
        at += chunk.size();
        return true;
      });
      refill.run(data);
    }
  } catch (const ParseError& e) {
    if (e.error().kind == ErrorKind::limit) throw;
    // A broken header: the file's reader reports it with its offset.
  }
}

}  // namespace

Step decompress_step(const Codec& codec, Bytes data, const ProbeContext& context, int depth,
                     AfterStream after) {
  const UnwrapOptions& options = context.options;
  std::shared_ptr<SparseBuffer> buffer = SparseBuffer::acquire(options.max_output);
  // The outermost stream's output when a stream inside it is the innermost.
  std::shared_ptr<SparseBuffer> outer;
  StreamCapture capture(*buffer, options.rules, options.early_exit, options.keep_all,
                        context.probes, options.linked_file_whole);
  // A probe run alone (the probe fuzzer) has no input-wide budget: this stream is all of it.
  const std::shared_ptr<OutputBudget> budget =
      options.budget ? options.budget : std::make_shared<OutputBudget>(options.max_output);
  Step step;
  uint64_t produced = 0, direct = 0;  // what the outermost decoder wrote into `buffer`
  {
    StreamChain chain(codec, depth, options, *budget,
                      [&](Bytes chunk) { return capture.consume(chunk); });
    if (options.release_input) chain.release_input_as_read(options.release_input);
    chain.offer(buffer->lend(), [&] {
      outer = std::exchange(buffer, std::make_shared<SparseBuffer>(options.max_output));
      capture.keep_in(*buffer);
    });
    // What the outermost decoder wrote into its area and the capture did
    // not keep reads as zeros again, and leaves a recycled buffer clean:
    // below, once the refills took what they need of it; here when the
    // decoding fails or the output was another stream.
    const StreamDecoder& first = *chain.stages().front()->decoder;
    const auto written = [&] { return first.written_into_area(); };
    struct Clear {
      std::function<void()> f;
      ~Clear() { f(); }
    } clear{[&] {
      if (outer || direct == 0) (outer ? outer : buffer)->drop_absent(written());
    }};
    chain.run(data);
    const auto& stages = chain.stages();
    step.layer = layer_of(*stages.front(), stages.size() == 1, after, capture.stopped_after());
    for (size_t i = 1; i < stages.size(); ++i)
      step.nested.push_back(layer_of(*stages[i], i + 1 == stages.size(), AfterStream::nothing,
                                     capture.stopped_after()));
    step.cut = chain.stopped();
    produced = first.produced();
    if (stages.size() == 1) direct = written();
  }
  outer.reset();
  const Bytes out = buffer->view(capture.size());
  if (!step.cut && !capture.whole() && options.rules != nullptr && options.rules->is_file(out))
    refill_file(codec, data, options, depth, out, {direct, produced}, *buffer);
  if (direct != 0) buffer->drop_absent(direct);
  step.inner = out;
  step.buffer = std::move(buffer);
  return step;
}

namespace {

bool sniff(Bytes head) { return codec_at(head) != nullptr; }

std::optional<Step> probe(Bytes data, const ProbeContext& context) {
  const Codec* codec = codec_at(data);
  if (codec == nullptr) return std::nullopt;
  return decompress_step(*codec, data, context, context.depth);
}

}  // namespace

// A stream inside a stream never reaches a capture (the chain decodes it);
// elsewhere its probe reads it whole.
const ContainerProbe kCompressedProbe{ContainerKind::compressed, "compressed stream", &sniff,
                                      &probe, Capture::whole};

}  // namespace lucompat
