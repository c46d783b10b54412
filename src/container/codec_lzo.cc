// The lzop container (what `lzop -9` writes and the kernel's unlzo reads),
// with blocks decoded by liblzo2's lzo1x_decompress_safe.
#include <lzo/lzo1x.h>

#include <memory>

#include "container/codec_util.h"
#include "container/codecs.h"

namespace lucompat {
namespace {

constexpr uint32_t kAdler32D = 0x1, kAdler32C = 0x2, kExtraField = 0x40, kCrc32D = 0x100,
                   kCrc32C = 0x200, kFilter = 0x800;
// lzop writes 256 KiB blocks; anything above this is not lzop's.
constexpr uint32_t kMaxBlock = 64u << 20;

}  // namespace

StreamInfo decode_lzo(Bytes input, const Sink& sink, uint64_t max_output) {
  static const bool ready = lzo_init() == LZO_E_OK;
  if (!ready) corrupt("lzo", 0, "cannot initialise liblzo2");
  const ByteReader r(input, ByteOrder::big);
  uint64_t pos = 9;  // magic
  const uint16_t version = r.u16(pos, "lzop version");
  pos += 4;  // version, library version
  if (version >= 0x0940) pos += 2;  // version needed to extract
  const uint8_t method = r.u8(pos, "lzop method");
  if (method < 1 || method > 3)
    fail(ErrorKind::unsupported, pos, fmt::format("lzop method {} is not LZO1X", method));
  pos += version >= 0x0940 ? 2 : 1;  // method, level
  const uint32_t flags = r.u32(pos, "lzop flags");
  pos += 4;
  if (flags & kFilter) pos += 4;
  pos += version >= 0x0940 ? 12 : 8;  // mode, mtime (and its high word)
  pos += 1 + r.u8(pos, "lzop file name length");
  pos += 4;  // header checksum
  if (flags & kExtraField) pos += 4 + r.u32(pos, "lzop extra field length") + 4;

  CappedSink out(sink, max_output, "lzo");
  std::unique_ptr<unsigned char[]> buf;
  uint32_t buf_size = 0;
  for (;;) {
    const uint32_t dst_len = r.u32(pos, "lzop block size");
    pos += 4;
    if (dst_len == 0) break;
    if (dst_len > kMaxBlock)
      corrupt("lzo", pos - 4, fmt::format("block size {} exceeds {} bytes", dst_len, kMaxBlock));
    const uint32_t src_len = r.u32(pos, "lzop compressed block size");
    pos += 4;
    if (src_len > dst_len)
      corrupt("lzo", pos - 4, fmt::format("compressed block ({} bytes) larger than its output ({})",
                                          src_len, dst_len));
    uint32_t adler = 0, crc = 0;
    if (flags & kAdler32D) { adler = r.u32(pos, "lzop block checksum"); pos += 4; }
    if (flags & kCrc32D) { crc = r.u32(pos, "lzop block checksum"); pos += 4; }
    if (src_len < dst_len) pos += ((flags & kAdler32C) ? 4 : 0) + ((flags & kCrc32C) ? 4 : 0);
    if (!r.contains(pos, src_len)) truncated("lzo", pos);
    const Bytes src = r.bytes(pos, src_len, "lzop block");
    const auto* data = reinterpret_cast<const unsigned char*>(src.data());
    if (src_len < dst_len) {
      if (dst_len > buf_size) {
        buf = std::make_unique_for_overwrite<unsigned char[]>(dst_len);
        buf_size = dst_len;
      }
      lzo_uint n = dst_len;
      if (lzo1x_decompress_safe(data, src_len, buf.get(), &n, nullptr) != LZO_E_OK || n != dst_len)
        corrupt("lzo", pos, "block does not decompress");
      data = buf.get();
    }
    if ((flags & kAdler32D) && lzo_adler32(1, data, dst_len) != adler)
      corrupt("lzo", pos, "block checksum (adler32) mismatch");
    if ((flags & kCrc32D) && lzo_crc32(0, data, dst_len) != crc)
      corrupt("lzo", pos, "block checksum (crc32) mismatch");
    pos += src_len;
    if (!out.write(data, dst_len)) return out.stopped_at(pos);
  }
  return {pos, out.produced(), size_trailer_after(input, pos)};
}

}  // namespace lucompat
