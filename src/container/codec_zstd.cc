#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_getFrameHeader: the window a frame asks for
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <memory>

#include "container/codec_util.h"
#include "container/codecs.h"

namespace lucompat {

namespace {

// One decoder per thread, reset for each stream: creating one per module of
// a tree, with its window buffer, was a tenth of the tree's time. A decoder
// grown past this by a kernel's window is not kept, so that it does not stay
// beside the next stream's in the peak RSS: what is kept lies outside the
// window budget, so it is kept small (a module's window fits).
constexpr size_t kKeepBelow = size_t{1} << 20;

std::atomic<uint64_t> max_window{kDefaultMaxZstdWindow};

// The windows of all threads together (see DecoderMemory).
DecoderMemory& window_budget() {
  static DecoderMemory m;
  return m;
}

// The window the frame asks for, refused past the limit.
uint64_t window_of(Bytes input, uint64_t limit) {
  ZSTD_frameHeader h{};
  const size_t rc = ZSTD_getFrameHeader(&h, input.data(), input.size());
  if (ZSTD_isError(rc)) corrupt("zstd", 0, ZSTD_getErrorName(rc));
  if (rc != 0) truncated("zstd", 0);
  if (h.windowSize > limit)
    fail(ErrorKind::limit, 0,
         fmt::format("zstd frame needs a {}-byte window, more than the {}-byte limit "
                     "(--max-zstd-window)",
                     h.windowSize, limit));
  return h.windowSize;
}

using Decoder = std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)>;

Decoder& thread_decoder() {
  thread_local Decoder ctx(nullptr, &ZSTD_freeDCtx);
  if (!ctx) ctx.reset(ZSTD_createDCtx());
  if (!ctx) corrupt("zstd", 0, "cannot initialise libzstd");
  ZSTD_DCtx_reset(ctx.get(), ZSTD_reset_session_only);
  return ctx;
}

}  // namespace

void set_max_zstd_window(uint64_t bytes) { max_window.store(bytes); }
uint64_t max_zstd_window() { return max_window.load(); }

StreamInfo decode_zstd(Bytes input, const Sink& sink, uint64_t max_output) {
  const uint64_t limit = max_window.load();
  DecoderMemory::Reservation reserved(window_budget());
  reserved.set(window_of(input, limit), limit);
  Decoder& decoder = thread_decoder();
  struct Trim {
    Decoder& d;
    ~Trim() {
      if (ZSTD_sizeof_DCtx(d.get()) > kKeepBelow) d.reset();
    }
  } trim{decoder};
  ZSTD_DCtx* const ctx = decoder.get();
  // The library's own check too, so that it refuses what the header check
  // allowed past no other way: the smallest log whose window holds the limit.
  const int log = std::clamp(static_cast<int>(std::bit_width(std::max<uint64_t>(limit, 2) - 1)),
                             ZSTD_WINDOWLOG_MIN, ZSTD_WINDOWLOG_MAX);
  ZSTD_DCtx_setParameter(ctx, ZSTD_d_windowLogMax, log);
  CappedSink out(sink, max_output, "zstd");
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  unsigned char buf[kCodecChunk];
  for (;;) {
    ZSTD_outBuffer o{buf, sizeof buf, 0};
    const size_t rc = ZSTD_decompressStream(ctx, &o, &in);
    if (ZSTD_isError(rc)) corrupt("zstd", in.pos, ZSTD_getErrorName(rc));
    if (!out.write(buf, o.pos)) return out.stopped_at(in.pos);
    if (rc == 0) break;  // the frame is complete
    if (in.pos == in.size && o.pos < o.size) truncated("zstd", in.pos);
  }
  return {in.pos, out.produced(), size_trailer_after(input, in.pos)};
}

}  // namespace lucompat
