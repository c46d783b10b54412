// What every codec wrapper shares: the capped sink and the trailer rule.
#pragma once

#include <fmt/format.h>

#include "lucompat/container/codec.h"

namespace lucompat {

inline constexpr size_t kCodecChunk = size_t{1} << 16;

// Forwards output to the sink and fails once it would pass the cap. write()
// returns false once the sink wants no more.
class CappedSink {
 public:
  CappedSink(const Sink& sink, uint64_t max_output, std::string_view codec)
      : sink_(sink), max_(max_output), codec_(codec) {}

  [[nodiscard]] bool write(const void* data, size_t n) {
    if (n > max_ - produced_)
      fail(ErrorKind::limit, std::nullopt,
           fmt::format("{} output exceeds the {}-byte limit (--max-output)", codec_, max_));
    produced_ += n;
    return n == 0 || sink_(Bytes(static_cast<const std::byte*>(data), n));
  }
  uint64_t produced() const { return produced_; }
  // What a decoder returns when the sink stopped it after `consumed` input bytes.
  StreamInfo stopped_at(uint64_t consumed) const {
    StreamInfo info{consumed, produced_, std::nullopt};
    info.stopped = true;
    return info;
  }

 private:
  const Sink& sink_;
  uint64_t max_;
  uint64_t produced_ = 0;
  std::string_view codec_;
};

// The kernel appends the decompressed size as 4 little-endian bytes; anything
// else after a stream is left alone (a container may hold more data).
inline std::optional<uint32_t> size_trailer_after(Bytes input, uint64_t consumed) {
  if (input.size() - consumed < 4) return std::nullopt;
  return load<uint32_t>(input.data() + consumed, ByteOrder::little);
}

[[noreturn]] inline void truncated(std::string_view codec, uint64_t at) {
  fail(ErrorKind::malformed, at,
       fmt::format("{} stream is truncated: the input ends before the end of the stream", codec));
}

[[noreturn]] inline void corrupt(std::string_view codec, uint64_t at, std::string_view why) {
  fail(ErrorKind::malformed, at, fmt::format("corrupt {} data: {}", codec, why));
}

}  // namespace lucompat
