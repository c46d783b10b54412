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
// The kernel's unlzo (lib/decompress_unlzo.c) refuses blocks larger than
// lzop's default 256 KiB: a larger one is no kernel's, and each costs its
// size in memory twice while it is read.
constexpr uint32_t kMaxBlock = 256u << 10;

class LzoDecoder final : public UnitDecoder {
 public:
  LzoDecoder(const Sink& sink, uint64_t max_output) : UnitDecoder(sink, max_output, "lzo") {
    static const bool ready = lzo_init() == LZO_E_OK;
    if (!ready) corrupt(0, "cannot initialise liblzo2");
  }

 private:
  uint64_t unit(Bytes avail) override { return header_read_ ? block(avail) : header(avail); }

  // Up to the extra field, which is skipped unread.
  uint64_t header(Bytes avail) {
    const ByteReader r(avail, ByteOrder::big);
    uint64_t pos = 9;  // magic
    if (!r.contains(pos, 2)) return need(pos + 2);
    const uint16_t version = r.u16(pos, "lzop version");
    pos += 4;                         // version, library version
    if (version >= 0x0940) pos += 2;  // version needed to extract
    if (!r.contains(pos, 1)) return need(pos + 1);
    const uint8_t method = r.u8(pos, "lzop method");
    if (method < 1 || method > 3)
      fail(ErrorKind::unsupported, at() + pos, fmt::format("lzop method {} is not LZO1X", method));
    pos += version >= 0x0940 ? 2 : 1;  // method, level
    if (!r.contains(pos, 4)) return need(pos + 4);
    flags_ = r.u32(pos, "lzop flags");
    pos += 4;
    if (flags_ & kFilter) pos += 4;
    pos += version >= 0x0940 ? 12 : 8;  // mode, mtime (and its high word)
    if (!r.contains(pos, 1)) return need(pos + 1);
    pos += 1 + r.u8(pos, "lzop file name length");
    pos += 4;  // header checksum
    if (flags_ & kExtraField) {
      if (!r.contains(pos, 4)) return need(pos + 4);
      skip(uint64_t{r.u32(pos, "lzop extra field length")} + 4);  // and its checksum
      pos += 4;
    }
    if (!r.contains(0, pos)) return need(pos);
    header_read_ = true;
    return pos;
  }

  uint64_t block(Bytes avail) {
    const ByteReader r(avail, ByteOrder::big);
    if (!r.contains(0, 4)) return need(4);
    const uint32_t dst_len = r.u32(0, "lzop block size");
    if (dst_len == 0) {
      end();
      return 4;
    }
    if (dst_len > kMaxBlock)
      corrupt(at(), fmt::format("block size {} exceeds {} bytes", dst_len, kMaxBlock));
    if (!r.contains(4, 4)) return need(8);
    const uint32_t src_len = r.u32(4, "lzop compressed block size");
    if (src_len > dst_len)
      corrupt(at() + 4, fmt::format("compressed block ({} bytes) larger than its output ({})",
                                    src_len, dst_len));
    uint64_t pos = 8;
    const uint64_t d_checks = ((flags_ & kAdler32D) ? 4 : 0) + ((flags_ & kCrc32D) ? 4 : 0);
    const uint64_t c_checks =
        src_len < dst_len ? ((flags_ & kAdler32C) ? 4 : 0) + ((flags_ & kCrc32C) ? 4 : 0) : 0;
    if (!r.contains(0, pos + d_checks + c_checks + src_len))
      return need(pos + d_checks + c_checks + src_len);
    uint32_t adler = 0, crc = 0;
    if (flags_ & kAdler32D) {
      adler = r.u32(pos, "lzop block checksum");
      pos += 4;
    }
    if (flags_ & kCrc32D) {
      crc = r.u32(pos, "lzop block checksum");
      pos += 4;
    }
    pos += c_checks;
    const auto* data = reinterpret_cast<const unsigned char*>(avail.data() + pos);
    if (src_len < dst_len) {
      if (!buf_) buf_ = std::make_unique_for_overwrite<unsigned char[]>(kMaxBlock);
      lzo_uint n = dst_len;
      if (lzo1x_decompress_safe(data, src_len, buf_.get(), &n, nullptr) != LZO_E_OK || n != dst_len)
        corrupt(at() + pos, "block does not decompress");
      data = buf_.get();
    }
    if ((flags_ & kAdler32D) && lzo_adler32(1, data, dst_len) != adler)
      corrupt(at() + pos, "block checksum (adler32) mismatch");
    if ((flags_ & kCrc32D) && lzo_crc32(0, data, dst_len) != crc)
      corrupt(at() + pos, "block checksum (crc32) mismatch");
    static_cast<void>(emit(data, dst_len));
    return pos + src_len;
  }

  bool header_read_ = false;
  uint32_t flags_ = 0;
  std::unique_ptr<unsigned char[]> buf_;
};

}  // namespace

std::unique_ptr<StreamDecoder> open_lzo(const Sink& sink, uint64_t max_output) {
  return std::make_unique<LzoDecoder>(sink, max_output);
}

}  // namespace lucompat
