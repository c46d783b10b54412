#include <zlib.h>

#include <algorithm>
#include <climits>

#include "container/codec_util.h"
#include "container/codecs.h"

namespace lucompat {

StreamInfo decode_gzip(Bytes input, const Sink& sink, uint64_t max_output) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) corrupt("gzip", 0, "cannot initialise zlib");
  struct End {
    z_stream& z;
    ~End() { inflateEnd(&z); }
  } end{z};
  CappedSink out(sink, max_output, "gzip");
  unsigned char buf[kCodecChunk];
  uint64_t fed = 0;
  for (;;) {
    if (z.avail_in == 0 && fed < input.size()) {
      const uint64_t n = std::min<uint64_t>(input.size() - fed, UINT_MAX);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(input.data() + fed));
      z.avail_in = static_cast<uInt>(n);
      fed += n;
    }
    z.next_out = buf;
    z.avail_out = sizeof buf;
    const int rc = inflate(&z, Z_NO_FLUSH);
    if (!out.write(buf, sizeof buf - z.avail_out)) return out.stopped_at(z.total_in);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && z.avail_in == 0 && fed == input.size()) truncated("gzip", z.total_in);
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      corrupt("gzip", z.total_in, z.msg != nullptr ? z.msg : "inflate failed");
  }
  StreamInfo info{z.total_in, out.produced(), std::nullopt};
  // gzip ends with ISIZE, the size modulo 2^32: the trailer the kernel relies on.
  info.size_trailer = load<uint32_t>(input.data() + info.consumed - 4, ByteOrder::little);
  return info;
}

}  // namespace lucompat
