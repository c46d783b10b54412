#include <zstd.h>

#include <memory>

#include "container/codec_util.h"
#include "container/codecs.h"

namespace lucompat {

StreamInfo decode_zstd(Bytes input, const Sink& sink, uint64_t max_output) {
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (!ctx) corrupt("zstd", 0, "cannot initialise libzstd");
  CappedSink out(sink, max_output, "zstd");
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  unsigned char buf[kCodecChunk];
  for (;;) {
    ZSTD_outBuffer o{buf, sizeof buf, 0};
    const size_t rc = ZSTD_decompressStream(ctx.get(), &o, &in);
    if (ZSTD_isError(rc)) corrupt("zstd", in.pos, ZSTD_getErrorName(rc));
    if (!out.write(buf, o.pos)) return out.stopped_at(in.pos);
    if (rc == 0) break;  // the frame is complete
    if (in.pos == in.size && o.pos < o.size) truncated("zstd", in.pos);
  }
  return {in.pos, out.produced(), size_trailer_after(input, in.pos)};
}

}  // namespace lucompat
