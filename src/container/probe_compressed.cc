// A compressed stream at the start of the data: a .ko.xz, an Image.gz, the
// payload of a bzImage or zboot.
#include <fmt/format.h>

#include "container/probe.h"
#include "container/stream_capture.h"
#include "lucompat/elf/elf_reader.h"

namespace lucompat {

Step decompress_step(const Codec& codec, Bytes data, const UnwrapOptions& options) {
  auto buffer = SparseBuffer::acquire(options.max_output);
  StreamCapture capture(*buffer, options.early_exit, options.keep_all);
  // A probe run alone (the probe fuzzer) has no input-wide budget: this stream is all of it.
  const std::shared_ptr<OutputBudget> budget =
      options.budget ? options.budget : std::make_shared<OutputBudget>(options.max_output);
  const StreamInfo info = codec.decode(
      data,
      [&](Bytes chunk) {
        budget->charge(chunk.size());
        return capture.consume(chunk);
      },
      options.max_output);
  const Bytes out = buffer->view(info.produced);
  if (!info.stopped && !capture.whole() && is_elf(out)) {
    // The first pass kept what an ELF usually needs; if this one is laid out
    // otherwise, decompress again for exactly the missing ranges (each pass
    // can reveal more: headers, then names, then sections).
    const Covered covered = [&](uint64_t off, uint64_t size) {
      return off >= info.produced || size > info.produced - off || buffer->covers(off, size);
    };
    try {
      for (int pass = 0; pass < 3; ++pass) {
        const std::vector<ByteRange> missing = elf_ranges_missing(out, covered);
        if (missing.empty()) break;
        uint64_t at = 0;
        codec.decode(
            data,
            [&](Bytes chunk) {
              StreamCapture::keep_only(*buffer, missing, at, chunk);
              at += chunk.size();
              return true;
            },
            options.max_output);
      }
    } catch (const ParseError& e) {
      if (e.error().kind == ErrorKind::limit) throw;
      // A broken ELF header: the ELF reader reports it with its offset.
    }
  }
  Step step;
  step.layer.format = std::string(codec.name);
  step.layer.compression = std::string(codec.name);
  step.layer.size = info.consumed;
  step.inner = out;
  step.buffer = std::move(buffer);
  if (info.stopped) {
    // What is known of a stream read only in part: no total size, no trailer.
    step.cut = true;
    step.layer.details.emplace_back(
        "early_exit",
        fmt::format("stopped after {} bytes, past the segment that holds the notes and the table",
                    info.produced));
    return step;
  }
  step.layer.decompressed_size = info.produced;
  step.layer.size_trailer = info.size_trailer;
  const uint64_t after = data.size() - info.consumed;
  if (codec.name != "gzip" && after != 0 && after != 4)
    step.layer.warnings.push_back(
        fmt::format("{} bytes follow the {} stream; expected none or a 4-byte size", after,
                    codec.name));
  if (info.size_trailer && *info.size_trailer != static_cast<uint32_t>(info.produced) &&
      (codec.name == "gzip" || after == 4))
    step.layer.warnings.push_back(
        fmt::format("the size trailer says {} bytes, but the stream decompressed to {}",
                    *info.size_trailer, info.produced));
  return step;
}

std::optional<Step> probe_compressed(Bytes data, const ProbeContext& context) {
  const Codec* codec = codec_at(data);
  if (codec == nullptr) return std::nullopt;
  return decompress_step(*codec, data, context.options);
}

}  // namespace lucompat
