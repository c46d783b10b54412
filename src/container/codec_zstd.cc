#include <zstd.h>

#include <memory>

#include "container/codec_util.h"
#include "container/codecs.h"

namespace lucompat {

namespace {

// One decoder per thread, reset for each stream: creating one per module of
// a tree, with its window buffer, was a tenth of the tree's time. A decoder
// grown past this by a kernel's window is not kept, so that it does not stay
// beside the next stream's in the peak RSS.
constexpr size_t kKeepBelow = size_t{4} << 20;

using Decoder = std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)>;

Decoder& thread_decoder() {
  thread_local Decoder ctx(nullptr, &ZSTD_freeDCtx);
  if (!ctx) ctx.reset(ZSTD_createDCtx());
  if (!ctx) corrupt("zstd", 0, "cannot initialise libzstd");
  ZSTD_DCtx_reset(ctx.get(), ZSTD_reset_session_only);
  return ctx;
}

}  // namespace

StreamInfo decode_zstd(Bytes input, const Sink& sink, uint64_t max_output) {
  Decoder& decoder = thread_decoder();
  struct Trim {
    Decoder& d;
    ~Trim() {
      if (ZSTD_sizeof_DCtx(d.get()) > kKeepBelow) d.reset();
    }
  } trim{decoder};
  ZSTD_DCtx* const ctx = decoder.get();
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
