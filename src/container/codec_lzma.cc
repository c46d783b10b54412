#include <lzma.h>

#include "container/codec_util.h"
#include "container/codecs.h"

namespace lucompat {
namespace {

// The kernel's xz payloads use at most a 32 MiB dictionary; a header asking
// for more than this is refused rather than allocated.
constexpr uint64_t kMemLimit = uint64_t{96} << 20;

std::string_view why(lzma_ret rc) {
  switch (rc) {
    case LZMA_FORMAT_ERROR: return "not a valid stream header";
    case LZMA_OPTIONS_ERROR: return "unsupported options in the header";
    case LZMA_DATA_ERROR: return "the compressed data is corrupt";
    case LZMA_UNSUPPORTED_CHECK: return "unsupported integrity check";
    default: return "decoder error";
  }
}

// One decoder per thread: liblzma reuses a stream's allocations (the
// dictionary) when it is initialised again, which a module tree of thousands
// of small streams notices. A kernel's 32 MiB dictionary is not kept: it
// would stay beside the next stream's in the peak RSS.
constexpr uint64_t kKeepBelow = uint64_t{4} << 20;

lzma_stream& thread_stream() {
  thread_local struct Stream {
    lzma_stream s = LZMA_STREAM_INIT;
    ~Stream() { lzma_end(&s); }
  } stream;
  return stream.s;
}

StreamInfo run(lzma_stream& s, std::string_view codec, Bytes input, const Sink& sink,
               uint64_t max_output) {
  struct Trim {
    lzma_stream& s;
    ~Trim() {
      if (lzma_memusage(&s) > kKeepBelow) lzma_end(&s);
    }
  } trim{s};
  CappedSink out(sink, max_output, codec);
  s.next_in = reinterpret_cast<const uint8_t*>(input.data());
  s.avail_in = input.size();
  uint8_t buf[kCodecChunk];
  for (;;) {
    s.next_out = buf;
    s.avail_out = sizeof buf;
    // Never LZMA_CONCATENATED: the kernel's size trailer is not xz padding.
    const lzma_ret rc = lzma_code(&s, s.avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
    if (!out.write(buf, sizeof buf - s.avail_out)) return out.stopped_at(s.total_in);
    if (rc == LZMA_STREAM_END) break;
    if (rc == LZMA_OK) continue;
    if (rc == LZMA_BUF_ERROR) truncated(codec, s.total_in);
    if (rc == LZMA_MEMLIMIT_ERROR)
      fail(ErrorKind::limit, 0,
           fmt::format("{} stream needs more than {} MiB of decoder memory", codec, kMemLimit >> 20));
    corrupt(codec, s.total_in, why(rc));
  }
  return {s.total_in, out.produced(), size_trailer_after(input, s.total_in)};
}

}  // namespace

StreamInfo decode_xz(Bytes input, const Sink& sink, uint64_t max_output) {
  lzma_stream& s = thread_stream();
  if (lzma_stream_decoder(&s, kMemLimit, 0) != LZMA_OK) corrupt("xz", 0, "cannot initialise liblzma");
  return run(s, "xz", input, sink, max_output);
}

StreamInfo decode_lzma(Bytes input, const Sink& sink, uint64_t max_output) {
  lzma_stream& s = thread_stream();
  if (lzma_alone_decoder(&s, kMemLimit) != LZMA_OK) corrupt("lzma", 0, "cannot initialise liblzma");
  return run(s, "lzma", input, sink, max_output);
}

}  // namespace lucompat
