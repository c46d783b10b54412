#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_getFrameHeader: the window a frame asks for
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <memory>
#include <optional>
#include <string>

#include "container/codec_util.h"
#include "container/codecs.h"

namespace lucompat {

namespace {

// A decoder grown past this by a kernel's window is not kept for the
// thread's next stream, so that it does not stay beside the next stream's in
// the peak RSS: what is kept lies outside the window budget, so it is kept
// small (a module's window fits).
constexpr size_t kKeepBelow = size_t{1} << 20;

std::atomic<uint64_t> max_window{kDefaultMaxZstdWindow};

// The window a frame header names with its Window_Descriptor byte (RFC 8878
// 3.1.1.1.2): 2^(10+e) plus m eighths of that.
uint64_t window_named(uint8_t descriptor) {
  const uint64_t base = uint64_t{1} << (10 + (descriptor >> 3));
  return base + base / 8 * (descriptor & 7);
}

// The smallest descriptor whose window holds `bytes`, when one names no
// more than `most`.
std::optional<uint8_t> descriptor_for(uint64_t bytes, uint64_t most) {
  for (unsigned d = 0; d <= 0xff && window_named(static_cast<uint8_t>(d)) <= most; ++d)
    if (window_named(static_cast<uint8_t>(d)) >= bytes) return static_cast<uint8_t>(d);
  return std::nullopt;
}

// The windows of all threads together (see DecoderMemory).
DecoderMemory& window_budget() {
  static DecoderMemory m;
  return m;
}

struct ZstdState {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx{nullptr, &ZSTD_freeDCtx};
};

class ZstdDecoder final : public StreamDecoder {
 public:
  ZstdDecoder(const Sink& sink, uint64_t max_output)
      : StreamDecoder(sink, max_output, "zstd"), limit_(max_window.load()) {
    auto& ctx = state_->ctx;
    if (!ctx) ctx.reset(ZSTD_createDCtx());
    if (!ctx) corrupt(0, "cannot initialise libzstd");
    ZSTD_DCtx_reset(ctx.get(), ZSTD_reset_session_only);
    // The library's own check too, so that it refuses what the header check
    // allowed past no other way: the smallest log whose window holds the limit.
    const int log = std::clamp(static_cast<int>(std::bit_width(std::max<uint64_t>(limit_, 2) - 1)),
                               ZSTD_WINDOWLOG_MIN, ZSTD_WINDOWLOG_MAX);
    ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, log);
  }
  ~ZstdDecoder() override {
    if (ZSTD_sizeof_DCtx(state_->ctx.get()) > kKeepBelow) state_->ctx.reset();
  }
  ZstdDecoder(const ZstdDecoder&) = delete;
  ZstdDecoder& operator=(const ZstdDecoder&) = delete;

 private:
  uint64_t decode(Bytes input) override {
    if (header_known_) return run(input, consumed());
    // The window is reserved before the library allocates it, so the frame
    // header is read first: gathered here when it is split across pieces.
    ZSTD_frameHeader h{};
    size_t rc = 0;
    uint64_t used = 0;
    for (;;) {
      rc = ZSTD_getFrameHeader(&h, header_.data(), header_.size());
      if (ZSTD_isError(rc)) corrupt(0, ZSTD_getErrorName(rc));
      if (rc == 0) break;
      if (used == input.size()) return used;  // the header goes on in the next piece
      const uint64_t take = std::min<uint64_t>(rc - header_.size(), input.size() - used);
      header_.append(as_chars(input.subspan(used, take)));
      used += take;
    }
    if (consumed() == 0) fit_window(h, input);
    if (h.windowSize > limit_)
      fail(ErrorKind::limit, 0,
           fmt::format("zstd frame needs a {}-byte window, more than the {}-byte limit "
                       "(--max-zstd-window)",
                       h.windowSize, limit_));
    reserved_.set(h.windowSize, limit_);
    header_known_ = true;
    // The header's bytes, then the rest of this piece.
    const uint64_t header_at = consumed() + used - header_.size();
    if (run(as_bytes(std::string_view(header_)), header_at) < header_.size() || ended() ||
        stopped())
      return used;
    return used + run(input.subspan(used), consumed() + used);
  }

  // `zstd -22 --ultra`, as the kernel build runs it on a pipe, names a
  // 128 MiB window and no content size, whatever the kernel's size. When the
  // whole frame is in the first piece (a bzImage's or zboot's payload), its
  // blocks bound what it decompresses to (each at most 128 KiB, which the
  // decoder checks), and the header read is rewritten to name a window no
  // larger: nothing can refer further back than what was produced.
  void fit_window(ZSTD_frameHeader& h, Bytes first) {
    constexpr size_t kDescriptorAt = 5;  // after the magic and the frame header descriptor
    constexpr auto kSingleSegment = std::byte{0x20};
    if (h.frameType != ZSTD_frame || h.frameContentSize != ZSTD_CONTENTSIZE_UNKNOWN ||
        (first[4] & kSingleSegment) != std::byte{0})
      return;
    const size_t size = ZSTD_findFrameCompressedSize(first.data(), first.size());
    if (ZSTD_isError(size)) return;
    const unsigned long long bound = ZSTD_decompressBound(first.data(), size);
    if (bound == ZSTD_CONTENTSIZE_ERROR) return;
    if (const auto d = descriptor_for(bound, h.windowSize)) {
      header_[kDescriptorAt] = static_cast<char>(*d);
      h.windowSize = window_named(*d);
    }
  }

  // Decodes `input`, at stream offset `at`; returns the bytes used.
  uint64_t run(Bytes input, uint64_t at) {
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    for (;;) {
      ZSTD_outBuffer o{buf_, sizeof buf_, 0};
      const size_t rc = ZSTD_decompressStream(state_->ctx.get(), &o, &in);
      if (ZSTD_isError(rc)) corrupt(at + in.pos, ZSTD_getErrorName(rc));
      if (!emit(buf_, o.pos)) return in.pos;
      if (rc == 0) {  // the frame is complete
        end();
        return in.pos;
      }
      if (in.pos == in.size && o.pos < o.size) return in.pos;
    }
  }

  const uint64_t limit_;
  bool header_known_ = false;
  std::string header_;  // the frame header, while it is split across pieces
  DecoderMemory::Reservation reserved_{window_budget()};
  PerThread<ZstdState> state_;
  unsigned char buf_[kCodecChunk];
};

}  // namespace

void set_max_zstd_window(uint64_t bytes) { max_window.store(bytes); }
uint64_t max_zstd_window() { return max_window.load(); }

std::unique_ptr<StreamDecoder> open_zstd(const Sink& sink, uint64_t max_output) {
  return std::make_unique<ZstdDecoder>(sink, max_output);
}

}  // namespace lucompat
