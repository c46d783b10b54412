#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_getFrameHeader: the window a frame asks for
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "container/codec_util.h"
#include "container/codecs.h"

namespace lucompat {

namespace {

// A decoder grown past this by a kernel's window is not kept for the
// thread's next stream, so that it does not stay beside the next stream's in
// the peak RSS: what is kept lies outside the window budget, so it is kept
// small (a module's window fits).
constexpr size_t kKeepContextBelow = size_t{1} << 20;

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

// What one call of the direct decoding may write before the sink sees it,
// about: the capture gives back the zero pages of what it sees, and a
// kernel's .bss is megabytes of zeros in a few bytes of RLE blocks, written
// at once (10 MiB at once in Debian's 7.3.4 kernels' peak RSS).
constexpr uint64_t kDirectStep = uint64_t{1} << 20;

// A compressed block's output is at most this (RFC 8878 3.1.1.2.4).
constexpr uint64_t kMaxBlockOutput = uint64_t{128} << 10;

// Where a piece of input starting at `from` ends: after whole blocks, from
// the one whose header is at `block`, until they make at least `step` bytes
// of output or reach `from + most`. Also the header after the last block
// taken, or nullopt when it is not known (a header that cannot be read, the
// frame's last block). Pure pacing: libzstd still checks everything.
struct Paced {
  uint64_t end;
  std::optional<uint64_t> block;
};
Paced pace_blocks(Bytes input, uint64_t from, std::optional<uint64_t> block, uint64_t step,
                  uint64_t most) {
  const uint64_t limit = std::min<uint64_t>(input.size(), from + most);
  uint64_t out = 0;
  while (block && *block < limit && out < step) {
    if (input.size() - *block < 3) return {limit, std::nullopt};
    const Bytes h = input.subspan(*block, 3);
    const uint32_t header = std::to_integer<uint32_t>(h[0]) | std::to_integer<uint32_t>(h[1]) << 8 |
                            std::to_integer<uint32_t>(h[2]) << 16;
    const unsigned type = (header >> 1) & 3;  // raw, RLE, compressed, reserved
    const uint64_t size = header >> 3;
    if (type == 3) return {limit, std::nullopt};  // reserved
    out += type == 2 ? kMaxBlockOutput : size;
    *block += 3 + (type == 1 ? 1 : size);
    if ((header & 1) != 0) return {std::min(*block, limit), std::nullopt};  // the last block
  }
  return {block ? std::min(*block, limit) : limit, block};
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
    // The context is the thread's, kept from its last stream.
    ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_stableOutBuffer, 0);
  }
  ~ZstdDecoder() override {
    if (ZSTD_sizeof_DCtx(state_->ctx.get()) > kKeepContextBelow) state_->ctx.reset();
  }
  ZstdDecoder(const ZstdDecoder&) = delete;
  ZstdDecoder& operator=(const ZstdDecoder&) = delete;

  void offer(OutputArea area) override { area_ = area; }
  uint64_t written_into_area() const override { return written_; }

 private:
  // Output past the size the area was given for: what the frame's trailer said.
  struct Overflow {};

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
    std::optional<uint64_t> trailer;
    if (consumed() == 0) {
      fit_window(h, input);
      trailer = trailer_size(input);
    }
    if (h.windowSize > limit_)
      fail(ErrorKind::limit, 0,
           fmt::format("zstd frame needs a {}-byte window, more than the {}-byte limit "
                       "(--max-zstd-window)",
                       h.windowSize, limit_));
    reserved_.set(h.windowSize, limit_);
    // A kernel's frame is whole in its first piece, and the size the build
    // appended after it is within the window: the window would hold the
    // whole output, so the consumer's memory for it serves as the window
    // and nothing is copied out of the library's. Debian's zstd kernels
    // took twice their size without it.
    if (trailer && *trailer <= h.windowSize && *trailer <= area_.size) {
      ZSTD_DCtx_setParameter(state_->ctx.get(), ZSTD_d_stableOutBuffer, 1);
      area_.size = *trailer;
      direct_ = true;
      next_block_ = consumed() + used;  // the first block follows the frame header
    }
    header_known_ = true;
    try {
      return frame(input, used);
    } catch (const Overflow&) {
      // The trailer was wrong: decoded again with a window of the library's,
      // beside the area, and without the bytes already handed over.
      reserved_.set(h.windowSize + area_.size, limit_);
      ZSTD_DCtx_reset(state_->ctx.get(), ZSTD_reset_session_only);
      ZSTD_DCtx_setParameter(state_->ctx.get(), ZSTD_d_stableOutBuffer, 0);
      direct_ = false;
      skip_ = written_;
      return frame(input, used);
    }
  }

  // The header's bytes, then the rest of the piece from `used` on.
  uint64_t frame(Bytes input, uint64_t used) {
    const uint64_t header_at = consumed() + used - header_.size();
    if (run(as_bytes(std::string_view(header_)), header_at) < header_.size() || ended() ||
        stopped())
      return used;
    return used + run(input.subspan(used), consumed() + used);
  }

  // The 4-byte size the kernel build appends right after a frame that is
  // whole in `first`.
  static std::optional<uint64_t> trailer_size(Bytes first) {
    const size_t size = ZSTD_findFrameCompressedSize(first.data(), first.size());
    if (ZSTD_isError(size) || first.size() - size < 4) return std::nullopt;
    return load<uint32_t>(first.data() + size, ByteOrder::little);
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
    if (direct_) return run_direct(input, at);
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    for (;;) {
      ZSTD_outBuffer o{buf_, sizeof buf_, 0};
      const size_t rc = ZSTD_decompressStream(state_->ctx.get(), &o, &in);
      if (ZSTD_isError(rc)) corrupt(at + in.pos, ZSTD_getErrorName(rc));
      read_up_to(input.data() + in.pos);
      const size_t skip = std::min<uint64_t>(skip_, o.pos);
      skip_ -= skip;
      if (!emit(buf_ + skip, o.pos - skip)) return in.pos;
      if (rc == 0) {  // the frame is complete
        end();
        return in.pos;
      }
      if (in.pos == in.size && o.pos < o.size) return in.pos;
    }
  }

  // The same into the area. The input goes in by pieces, so that the output
  // reaches the sink by pieces too (the sink may stop early) and while it is
  // still in cache.
  uint64_t run_direct(Bytes input, uint64_t at) {
    uint64_t used = 0;
    while (used < input.size()) {
      // Never behind what was fed: a piece always starts at `used`.
      std::optional<uint64_t> block;
      if (next_block_ && *next_block_ >= at + used) block = *next_block_ - at;
      const Paced p = pace_blocks(input, used, block, kDirectStep, kCodecChunk);
      next_block_ = p.block ? std::optional(at + *p.block) : std::nullopt;
      const Bytes piece = input.subspan(used, p.end - used);
      ZSTD_inBuffer in{piece.data(), piece.size(), 0};
      ZSTD_outBuffer o{area_.data, area_.size, written_};
      const size_t rc = ZSTD_decompressStream(state_->ctx.get(), &o, &in);
      if (ZSTD_isError(rc) && ZSTD_getErrorCode(rc) == ZSTD_error_dstSize_tooSmall)
        throw Overflow{};
      if (ZSTD_isError(rc)) corrupt(at + used + in.pos, ZSTD_getErrorName(rc));
      // libzstd takes input until the frame ends, unless the area is full.
      if (in.pos == 0 && o.pos == written_) throw Overflow{};
      used += in.pos;
      read_up_to(input.data() + used);
      const uint64_t from = std::exchange(written_, o.pos);
      if (!emit(area_.data + from, o.pos - from)) return used;
      if (rc == 0) {
        end();
        return used;
      }
    }
    return used;
  }

  const uint64_t limit_;
  OutputArea area_;
  bool direct_ = false;                 // decoding into area_
  uint64_t written_ = 0;                // into area_
  std::optional<uint64_t> next_block_;  // the stream offset of the next block's header
  uint64_t skip_ = 0;                   // output handed over before an Overflow, not again
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
