#include <bzlib.h>

#include <algorithm>
#include <climits>

#include "container/codec_util.h"
#include "container/codecs.h"

namespace lucompat {

StreamInfo decode_bzip2(Bytes input, const Sink& sink, uint64_t max_output) {
  bz_stream s{};
  if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) corrupt("bzip2", 0, "cannot initialise libbz2");
  struct End {
    bz_stream& s;
    ~End() { BZ2_bzDecompressEnd(&s); }
  } end{s};
  CappedSink out(sink, max_output, "bzip2");
  char buf[kCodecChunk];
  uint64_t fed = 0;
  const auto total_in = [&] { return (uint64_t{s.total_in_hi32} << 32) | s.total_in_lo32; };
  for (;;) {
    if (s.avail_in == 0 && fed < input.size()) {
      const uint64_t n = std::min<uint64_t>(input.size() - fed, UINT_MAX);
      s.next_in = const_cast<char*>(reinterpret_cast<const char*>(input.data() + fed));
      s.avail_in = static_cast<unsigned>(n);
      fed += n;
    }
    s.next_out = buf;
    s.avail_out = sizeof buf;
    const int rc = BZ2_bzDecompress(&s);
    const size_t n = sizeof buf - s.avail_out;
    if (!out.write(buf, n)) return out.stopped_at(total_in());
    if (rc == BZ_STREAM_END) break;
    if (rc != BZ_OK) corrupt("bzip2", total_in(), rc == BZ_DATA_ERROR_MAGIC ? "bad magic" : "bad block data");
    if (n == 0 && s.avail_in == 0 && fed == input.size()) truncated("bzip2", total_in());
  }
  return {total_in(), out.produced(), size_trailer_after(input, total_in())};
}

}  // namespace lucompat
