// A compressed stream at the start of the data: a .ko.xz, an Image.gz, the
// payload of a bzImage or zboot.
#include <fmt/format.h>

#include "container/probe.h"

namespace lucompat {

Step decompress_step(const Codec& codec, Bytes data, const UnwrapOptions& options) {
  auto out = std::make_shared<std::vector<std::byte>>();
  // The kernel's size trailer, when plausible, spares the vector's regrowth
  // (which would double peak memory). Untrusted, so bounded by the cap and by
  // a generous compression ratio.
  if (data.size() >= 4) {
    const uint64_t hint = load<uint32_t>(data.data() + data.size() - 4, ByteOrder::little);
    if (hint <= options.max_output && hint <= data.size() * 64) out->reserve(hint);
  }
  const StreamInfo info = codec.decode(
      data, [&](Bytes chunk) { out->insert(out->end(), chunk.begin(), chunk.end()); },
      options.max_output);
  Step step;
  step.layer.format = std::string(codec.name);
  step.layer.compression = std::string(codec.name);
  step.layer.size = info.consumed;
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
  step.inner = Bytes(out->data(), out->size());
  step.buffer = std::move(out);
  return step;
}

std::optional<Step> probe_compressed(Bytes data, const ProbeContext& context) {
  const Codec* codec = codec_at(data);
  if (codec == nullptr) return std::nullopt;
  return decompress_step(*codec, data, context.options);
}

}  // namespace lucompat
