// What the decoders share: decoder memory across threads, per-thread state
// reuse, formats parsed in whole units, and the trailer rule.
#pragma once

#include <fmt/format.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "lucompat/container/codec.h"

namespace lucompat {

inline constexpr size_t kCodecChunk = size_t{1} << 16;

// Decoder memory shared by all threads (zstd windows, xz dictionaries): a
// decoder reserves what its stream needs before the library allocates it and
// gives it back after, so the total stays within a limit whatever -j says.
//
// A thread that holds no reservation waits for room; one that already holds
// some (a stream nested in another, decoded in the outer one's sink) does not
// wait: it could be waiting for itself, or two such threads for each other.
// It takes the room if it is free now and is refused otherwise.
class DecoderMemory {
 public:
  class Reservation {
   public:
    explicit Reservation(DecoderMemory& m) : m_(m) {}
    ~Reservation() { release(); }
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;

    // `bytes`, at most `limit`, beside the other decoders'.
    void set(uint64_t bytes, uint64_t limit) {
      release();
      std::unique_lock lock(m_.mu_);
      const auto fits = [&] { return m_.in_use_ <= limit && bytes <= limit - m_.in_use_; };
      if (held_by_this_thread() == 0) {
        m_.freed_.wait(lock, fits);
      } else if (!fits()) {
        fail(ErrorKind::limit, std::nullopt,
             fmt::format("a stream nested in another needs {} bytes of decoder memory, more than "
                         "is free of the {}-byte limit of all streams together",
                         bytes, limit));
      }
      m_.in_use_ += bytes;
      bytes_ = bytes;
      held_by_this_thread() += bytes;
    }

   private:
    void release() {
      if (bytes_ == 0) return;
      const std::lock_guard lock(m_.mu_);
      m_.in_use_ -= bytes_;
      held_by_this_thread() -= bytes_;
      bytes_ = 0;
      m_.freed_.notify_all();
    }

    DecoderMemory& m_;
    uint64_t bytes_ = 0;
  };

 private:
  static uint64_t& held_by_this_thread() {
    thread_local uint64_t held = 0;  // in every pool together
    return held;
  }

  std::mutex mu_;
  std::condition_variable freed_;
  uint64_t in_use_ = 0;
};

// A library's decoder state kept by each thread for its next stream: setting
// one up per stream was a tenth of a module tree's time. A stream nested in
// another on the same thread gets a state of its own for its lifetime.
template <typename State>
class PerThread {
 public:
  PerThread() {
    Slot& s = slot();
    if (!s.busy) {
      s.busy = true;
      state_ = &s.state;
    } else {
      own_ = std::make_unique<State>();
      state_ = own_.get();
    }
  }
  ~PerThread() {
    if (!own_) slot().busy = false;
  }
  PerThread(const PerThread&) = delete;
  PerThread& operator=(const PerThread&) = delete;

  State& operator*() const { return *state_; }
  State* operator->() const { return state_; }

 private:
  struct Slot {
    State state;
    bool busy = false;
  };
  static Slot& slot() {
    thread_local Slot s;
    return s;
  }

  State* state_ = nullptr;
  std::unique_ptr<State> own_;
};

// A format read in whole units (a header, a block) that decodes each from
// contiguous bytes: straight from the input when a unit lies in one piece of
// it, from a buffer of that unit's bytes only when it is split across pieces.
class UnitDecoder : public StreamDecoder {
 protected:
  using StreamDecoder::StreamDecoder;

  // Reads one unit at the start of `avail`, at stream offset at(): returns
  // its size, or 0 after need() when `avail` does not hold all of it. May
  // call skip() for bytes after the unit that are not read at all.
  virtual uint64_t unit(Bytes avail) = 0;
  // The unit needs `total` bytes, counted from its start (more than it has).
  uint64_t need(uint64_t total) {
    need_ = total;
    return 0;
  }
  void skip(uint64_t bytes) { skip_ = bytes; }
  uint64_t at() const { return at_; }  // the stream offset of the unit being read
  bool in_unit() const { return !pending_.empty() || skip_ != 0; }

 private:
  uint64_t decode(Bytes input) final;

  std::vector<std::byte> pending_;  // a unit's bytes so far, when split across pieces
  uint64_t need_ = 0;
  uint64_t skip_ = 0;
  uint64_t at_ = 0;
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
