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

}  // namespace

StreamInfo decode_lz4_legacy(Bytes input, const Sink& sink, uint64_t max_output) {
  const ByteReader r(input, ByteOrder::little);
  if (r.u32(0, "lz4 legacy magic") != kLegacyMagic) corrupt("lz4", 0, "not a legacy lz4 frame");
  CappedSink out(sink, max_output, "lz4");
  const auto buf = std::make_unique_for_overwrite<char[]>(kBlockSize);
  uint64_t pos = 4;
  while (pos < r.size()) {
    if (!r.contains(pos, 4)) truncated("lz4", pos);
    const uint32_t csize = r.u32(pos, "lz4 block size");
    if (csize == kLegacyMagic) {  // concatenated frames
      pos += 4;
      continue;
    }
    if (csize > static_cast<uint32_t>(LZ4_compressBound(kBlockSize)))
      corrupt("lz4", pos, fmt::format("block size {} is larger than any 8 MiB block", csize));
    if (!r.contains(pos + 4, csize)) truncated("lz4", pos);
    const Bytes block = r.bytes(pos + 4, csize, "lz4 block");
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(block.data()), buf.get(),
                                      static_cast<int>(csize), kBlockSize);
    if (n < 0) corrupt("lz4", pos + 4, "block does not decompress");
    pos += 4 + csize;
    if (!out.write(buf.get(), static_cast<size_t>(n))) return out.stopped_at(pos);
    if (n < kBlockSize) break;  // only the last block is short
  }
  if (out.produced() == 0) truncated("lz4", pos);
  return {pos, out.produced(), size_trailer_after(input, pos)};
}

}  // namespace lucompat
