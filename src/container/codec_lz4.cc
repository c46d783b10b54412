// The lz4 *legacy* frame (lz4 -l), which the kernel build uses: a magic, then
// blocks of {u32 LE compressed size, data}, each decompressing to 8 MiB except
// the last.
#include <lz4.h>

#include <memory>

#include "container/codec_util.h"
#include "container/codecs.h"

namespace lucompat {
namespace {

constexpr uint32_t kLegacyMagic = 0x184c2102;
constexpr int kBlockSize = 8 << 20;

class Lz4Decoder final : public UnitDecoder {
 public:
  Lz4Decoder(const Sink& sink, uint64_t max_output) : UnitDecoder(sink, max_output, "lz4") {}

 private:
  uint64_t unit(Bytes avail) override {
    const ByteReader r(avail, ByteOrder::little);
    if (!r.contains(0, 4)) return need(4);
    const uint32_t word = r.u32(0, "lz4 block size");
    if (!magic_seen_) {
      if (word != kLegacyMagic) corrupt(at(), "not a legacy lz4 frame");
      magic_seen_ = true;
      return 4;
    }
    if (word == kLegacyMagic) return 4;  // concatenated frames
    if (word > static_cast<uint32_t>(LZ4_compressBound(kBlockSize)))
      corrupt(at(), fmt::format("block size {} is larger than any 8 MiB block", word));
    if (!r.contains(4, word)) return need(uint64_t{4} + word);
    if (!buf_) buf_ = std::make_unique_for_overwrite<char[]>(kBlockSize);
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(avail.data() + 4), buf_.get(),
                                      static_cast<int>(word), kBlockSize);
    if (n < 0) corrupt(at() + 4, "block does not decompress");
    if (emit(buf_.get(), static_cast<size_t>(n)) && n < kBlockSize)
      end();  // only the last block is short
    return uint64_t{4} + word;
  }

  // The legacy frame has no end mark but a short block: a stream of whole
  // 8 MiB blocks ends where its input does.
  void drain() override {
    if (in_unit() || produced() == 0) truncated(at());
    end();
  }

  bool magic_seen_ = false;
  std::unique_ptr<char[]> buf_;
};

}  // namespace

std::unique_ptr<StreamDecoder> open_lz4_legacy(const Sink& sink, uint64_t max_output) {
  return std::make_unique<Lz4Decoder>(sink, max_output);
}

}  // namespace lucompat
