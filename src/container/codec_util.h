// What every codec wrapper shares: the capped sink and the trailer rule.
#pragma once

#include <fmt/format.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>

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

// Decoder memory shared by all threads (zstd windows, xz dictionaries): a
// decoder reserves what its stream needs before the library allocates it and
// gives it back after, so the total stays within a limit whatever -j says.
// A thread holds one reservation at most (no decoder runs inside another's
// sink) and gives it back before asking for more, so waiting cannot deadlock.
class DecoderMemory {
 public:
  class Reservation {
   public:
    explicit Reservation(DecoderMemory& m) : m_(m) {}
    ~Reservation() { set(0, 0); }
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;

    // Waits until `bytes`, at most `limit`, fit beside the other threads'.
    void set(uint64_t bytes, uint64_t limit) {
      std::unique_lock lock(m_.mu_);
      m_.in_use_ -= bytes_;
      bytes_ = 0;
      m_.freed_.notify_all();
      m_.freed_.wait(lock, [&] { return m_.in_use_ <= limit && bytes <= limit - m_.in_use_; });
      m_.in_use_ += bytes;
      bytes_ = bytes;
    }

   private:
    DecoderMemory& m_;
    uint64_t bytes_ = 0;
  };

 private:
  std::mutex mu_;
  std::condition_variable freed_;
  uint64_t in_use_ = 0;
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
