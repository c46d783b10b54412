#include <lzma.h>

#include "container/codec_util.h"
#include "container/codecs.h"

namespace lucompat {
namespace {

// The kernel's xz payloads use at most a 32 MiB dictionary; a header asking
// for more than this is refused rather than allocated.
constexpr uint64_t kMemLimit = uint64_t{96} << 20;
// The dictionaries of all threads together: sixteen threads reading streams
// with 64 MiB dictionaries would otherwise hold 1 GiB. A kernel's 32 MiB
// leaves room for the modules beside it.
constexpr uint64_t kAllThreads = uint64_t{128} << 20;

// What a decoder may use before it asks for more: liblzma's smallest limit.
constexpr uint64_t kInitialLimit = 1;

// liblzma reuses a stream's allocations (the dictionary) when it is
// initialised again, which a module tree of thousands of small streams
// notices. A kernel's 32 MiB dictionary is not kept: it would stay beside the
// next stream's in the peak RSS, outside the budget of all threads (a
// module's 1 MiB dictionary is kept).
constexpr uint64_t kKeepBelow = uint64_t{2} << 20;

DecoderMemory& dictionaries() {
  static DecoderMemory m;
  return m;
}

std::string_view why(lzma_ret rc) {
  switch (rc) {
    case LZMA_FORMAT_ERROR:
      return "not a valid stream header";
    case LZMA_OPTIONS_ERROR:
      return "unsupported options in the header";
    case LZMA_DATA_ERROR:
      return "the compressed data is corrupt";
    case LZMA_UNSUPPORTED_CHECK:
      return "unsupported integrity check";
    default:
      return "decoder error";
  }
}

struct LzmaState {
  lzma_stream s = LZMA_STREAM_INIT;
  LzmaState() = default;
  ~LzmaState() { lzma_end(&s); }
  LzmaState(const LzmaState&) = delete;
  LzmaState& operator=(const LzmaState&) = delete;
};

class LzmaDecoder final : public StreamDecoder {
 public:
  // `alone`: the legacy .lzma format, else .xz.
  LzmaDecoder(const Sink& sink, uint64_t max_output, bool alone)
      : StreamDecoder(sink, max_output, alone ? "lzma" : "xz") {
    lzma_stream& s = state_->s;
    const lzma_ret rc =
        alone ? lzma_alone_decoder(&s, kInitialLimit) : lzma_stream_decoder(&s, kInitialLimit, 0);
    if (rc != LZMA_OK) corrupt(0, "cannot initialise liblzma");
    // The decoder starts with almost no memory allowed: a header that needs
    // more stops it with LZMA_MEMLIMIT_ERROR, and it goes on once that much
    // is reserved among all threads.
    reserved_.set(lzma_memusage(&s), kAllThreads);
  }
  ~LzmaDecoder() override {
    // Before the reservation is given back: the memory is freed first.
    if (lzma_memusage(&state_->s) > kKeepBelow) lzma_end(&state_->s);
  }
  LzmaDecoder(const LzmaDecoder&) = delete;
  LzmaDecoder& operator=(const LzmaDecoder&) = delete;

 private:
  uint64_t decode(Bytes input) override {
    lzma_stream& s = state_->s;
    s.next_in = reinterpret_cast<const uint8_t*>(input.data());
    s.avail_in = input.size();
    run(LZMA_RUN);
    const uint64_t used = input.size() - s.avail_in;
    s.avail_in = 0;
    return used;
  }

  void drain() override { run(LZMA_FINISH); }

  // Never LZMA_CONCATENATED: the kernel's size trailer is not xz padding.
  void run(lzma_action action) {
    lzma_stream& s = state_->s;
    for (;;) {
      s.next_out = buf_;
      s.avail_out = sizeof buf_;
      const lzma_ret rc = lzma_code(&s, action);
      const size_t n = sizeof buf_ - s.avail_out;
      if (!emit(buf_, n)) return;
      if (rc == LZMA_STREAM_END) return end();
      if (rc == LZMA_OK) {
        if (s.avail_in == 0 && n < sizeof buf_ && action == LZMA_RUN) return;
        continue;
      }
      if (rc == LZMA_BUF_ERROR) return;  // no progress without more input
      if (rc == LZMA_MEMLIMIT_ERROR) {
        const uint64_t needed = lzma_memusage(&s);
        if (needed > kMemLimit)
          fail(ErrorKind::limit, s.total_in,
               fmt::format("{} stream needs {} bytes of decoder memory, more than the {} MiB limit",
                           name(), needed, kMemLimit >> 20));
        reserved_.set(needed, kAllThreads);
        if (lzma_memlimit_set(&s, needed) != LZMA_OK)
          corrupt(s.total_in, "cannot raise the memory limit");
        continue;
      }
      corrupt(s.total_in, why(rc));
    }
  }

  DecoderMemory::Reservation reserved_{dictionaries()};
  PerThread<LzmaState> state_;
  uint8_t buf_[kCodecChunk];
};

}  // namespace

std::unique_ptr<StreamDecoder> open_xz(const Sink& sink, uint64_t max_output) {
  return std::make_unique<LzmaDecoder>(sink, max_output, false);
}

std::unique_ptr<StreamDecoder> open_lzma(const Sink& sink, uint64_t max_output) {
  return std::make_unique<LzmaDecoder>(sink, max_output, true);
}

}  // namespace lucompat
