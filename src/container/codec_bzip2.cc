#include <bzlib.h>

#include <algorithm>
#include <climits>

#include "container/codec_util.h"
#include "container/codecs.h"

namespace lucompat {
namespace {

class Bzip2Decoder final : public StreamDecoder {
 public:
  Bzip2Decoder(const Sink& sink, uint64_t max_output) : StreamDecoder(sink, max_output, "bzip2") {
    if (BZ2_bzDecompressInit(&s_, 0, 0) != BZ_OK) corrupt(0, "cannot initialise libbz2");
  }
  ~Bzip2Decoder() override { BZ2_bzDecompressEnd(&s_); }
  Bzip2Decoder(const Bzip2Decoder&) = delete;
  Bzip2Decoder& operator=(const Bzip2Decoder&) = delete;

 private:
  uint64_t total_in() const { return (uint64_t{s_.total_in_hi32} << 32) | s_.total_in_lo32; }

  uint64_t decode(Bytes input) override {
    const uint64_t before = total_in();
    uint64_t fed = 0;
    for (;;) {
      if (s_.avail_in == 0 && fed < input.size()) {
        const uint64_t n = std::min<uint64_t>(input.size() - fed, UINT_MAX);
        s_.next_in = const_cast<char*>(reinterpret_cast<const char*>(input.data() + fed));
        s_.avail_in = static_cast<unsigned>(n);
        fed += n;
      }
      s_.next_out = buf_;
      s_.avail_out = sizeof buf_;
      const int rc = BZ2_bzDecompress(&s_);
      const size_t n = sizeof buf_ - s_.avail_out;
      if (!emit(buf_, n)) break;
      if (rc == BZ_STREAM_END) {
        end();
        break;
      }
      if (rc != BZ_OK)
        corrupt(total_in(), rc == BZ_DATA_ERROR_MAGIC ? "bad magic" : "bad block data");
      if (s_.avail_in == 0 && fed == input.size() && n < sizeof buf_) break;
    }
    s_.avail_in = 0;
    return total_in() - before;
  }

  bz_stream s_{};
  char buf_[kCodecChunk];
};

}  // namespace

std::unique_ptr<StreamDecoder> open_bzip2(const Sink& sink, uint64_t max_output) {
  return std::make_unique<Bzip2Decoder>(sink, max_output);
}

}  // namespace lucompat
