#include <zlib.h>

#include <algorithm>
#include <climits>

#include "container/codec_util.h"
#include "container/codecs.h"

namespace lucompat {
namespace {

class GzipDecoder final : public StreamDecoder {
 public:
  GzipDecoder(const Sink& sink, uint64_t max_output) : StreamDecoder(sink, max_output, "gzip") {
    if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) corrupt(0, "cannot initialise zlib");
  }
  ~GzipDecoder() override { inflateEnd(&z_); }
  GzipDecoder(const GzipDecoder&) = delete;
  GzipDecoder& operator=(const GzipDecoder&) = delete;

  // gzip ends with ISIZE, the size modulo 2^32, the trailer the kernel relies
  // on; zlib has checked it against the output.
  std::optional<uint32_t> own_size() const override {
    if (!ended()) return std::nullopt;
    return static_cast<uint32_t>(produced());
  }

 private:
  uint64_t decode(Bytes input) override {
    const uint64_t before = z_.total_in;
    uint64_t fed = 0;
    for (;;) {
      if (z_.avail_in == 0 && fed < input.size()) {
        const uint64_t n = std::min<uint64_t>(input.size() - fed, UINT_MAX);
        z_.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(input.data() + fed));
        z_.avail_in = static_cast<uInt>(n);
        fed += n;
      }
      z_.next_out = buf_;
      z_.avail_out = sizeof buf_;
      const int rc = inflate(&z_, Z_NO_FLUSH);
      const size_t n = sizeof buf_ - z_.avail_out;
      if (!emit(buf_, n)) break;
      if (rc == Z_STREAM_END) {
        end();
        break;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR)
        corrupt(z_.total_in, z_.msg != nullptr ? z_.msg : "inflate failed");
      // All input taken and nothing more held back: the next piece goes on.
      if (z_.avail_in == 0 && fed == input.size() && n < sizeof buf_) break;
    }
    const uint64_t used = z_.total_in - before;
    z_.avail_in = 0;  // what is left after the stream is not the decoder's
    return used;
  }

  z_stream z_{};
  unsigned char buf_[kCodecChunk];
};

}  // namespace

std::unique_ptr<StreamDecoder> open_gzip(const Sink& sink, uint64_t max_output) {
  return std::make_unique<GzipDecoder>(sink, max_output);
}

}  // namespace lucompat
