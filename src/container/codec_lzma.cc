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

DecoderMemory& dictionaries() {
  static DecoderMemory m;
  return m;
}

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
// would stay beside the next stream's in the peak RSS, outside the budget of
// all threads (a module's 1 MiB dictionary is kept).
constexpr uint64_t kKeepBelow = uint64_t{2} << 20;

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
  // The decoder starts with almost no memory allowed: a header that needs
  // more stops it with LZMA_MEMLIMIT_ERROR, and it goes on once that much is
  // reserved among all threads. Declared after `trim`: given back after the
  // decoder has been freed.
  DecoderMemory::Reservation reserved(dictionaries());
  reserved.set(lzma_memusage(&s), kAllThreads);
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
    if (rc == LZMA_MEMLIMIT_ERROR) {
      const uint64_t needed = lzma_memusage(&s);
      if (needed > kMemLimit)
        fail(ErrorKind::limit, s.total_in,
             fmt::format("{} stream needs {} bytes of decoder memory, more than the {} MiB limit",
                         codec, needed, kMemLimit >> 20));
      reserved.set(needed, kAllThreads);
      if (lzma_memlimit_set(&s, needed) != LZMA_OK) corrupt(codec, s.total_in, "cannot raise the memory limit");
      continue;
    }
    corrupt(codec, s.total_in, why(rc));
  }
  return {s.total_in, out.produced(), size_trailer_after(input, s.total_in)};
}

}  // namespace

StreamInfo decode_xz(Bytes input, const Sink& sink, uint64_t max_output) {
  lzma_stream& s = thread_stream();
  if (lzma_stream_decoder(&s, kInitialLimit, 0) != LZMA_OK) corrupt("xz", 0, "cannot initialise liblzma");
  return run(s, "xz", input, sink, max_output);
}

StreamInfo decode_lzma(Bytes input, const Sink& sink, uint64_t max_output) {
  lzma_stream& s = thread_stream();
  if (lzma_alone_decoder(&s, kInitialLimit) != LZMA_OK) corrupt("lzma", 0, "cannot initialise liblzma");
  return run(s, "lzma", input, sink, max_output);
}

}  // namespace lucompat
