#include "container/test_streams.h"

#include <bzlib.h>
#include <lz4hc.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <malloc.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <memory>
#include <random>
#include <stdexcept>
#include <vector>

namespace lucompat::testing {
namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test compressor failed: ") + what);
}

void put_be(std::string& out, uint64_t v, int size) {
  for (int i = size - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string sample_text(size_t size, uint32_t seed) {
  static constexpr std::array<std::string_view, 8> kWords{"memfd ",    "liveupdate ", "handler ",
                                                          "0x1f8b ",   "session\n",   "kho-v1 ",
                                                          "preserve ", "vmalloc;"};
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < size) out += kWords[rng() % kWords.size()];
  out.resize(size);
  return out;
}

std::string random_bytes(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

std::string gzip(std::string_view data) {
  z_stream z{};
  require(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) == Z_OK,
          "deflateInit2");
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = const_cast<Bytef*>(bytes_of(data));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  deflateEnd(&z);
  require(rc == Z_STREAM_END, "deflate");
  out.resize(z.total_out);
  return out;
}

std::string xz(std::string_view data) {
  // The kernel's xz payloads carry CRC32 checks (scripts/xz_wrap.sh).
  std::string out(lzma_stream_buffer_bound(data.size()), '\0');
  size_t n = 0;
  require(
      lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, nullptr, bytes_of(data), data.size(),
                              reinterpret_cast<uint8_t*>(out.data()), &n, out.size()) == LZMA_OK,
      "lzma_easy_buffer_encode");
  out.resize(n);
  return out;
}

std::string lzma_alone(std::string_view data) {
  lzma_options_lzma options;
  require(!lzma_lzma_preset(&options, 6), "lzma_lzma_preset");
  lzma_stream s = LZMA_STREAM_INIT;
  require(lzma_alone_encoder(&s, &options) == LZMA_OK, "lzma_alone_encoder");
  std::string out(data.size() + data.size() / 2 + 4096, '\0');
  s.next_in = bytes_of(data);
  s.avail_in = data.size();
  s.next_out = reinterpret_cast<uint8_t*>(out.data());
  s.avail_out = out.size();
  const lzma_ret rc = lzma_code(&s, LZMA_FINISH);
  out.resize(s.total_out);
  lzma_end(&s);
  require(rc == LZMA_STREAM_END, "lzma_code");
  return out;
}

std::string bzip2(std::string_view data) {
  unsigned int n = static_cast<unsigned int>(data.size() + data.size() / 100 + 601);
  std::string out(n, '\0');
  require(BZ2_bzBuffToBuffCompress(out.data(), &n, const_cast<char*>(data.data()),
                                   static_cast<unsigned int>(data.size()), 9, 0, 0) == BZ_OK,
          "BZ2_bzBuffToBuffCompress");
  out.resize(n);
  return out;
}

std::string lzop(std::string_view data, uint32_t flags) {
  require(lzo_init() == LZO_E_OK, "lzo_init");
  // The header as lzop 1.04 writes it for `lzop -9` (lzop.c: write_header).
  std::string header("\x89LZO\x00\r\n\x1a\n", 9);
  put_be(header, 0x1040, 2);  // lzop version
  put_be(header, 0x20a0, 2);  // liblzo version
  put_be(header, 0x0940, 2);  // version needed to extract
  header += '\x03';           // method: LZO1X-999
  header += '\x09';           // level
  put_be(header, flags, 4);
  put_be(header, 0100644, 4);  // mode
  put_be(header, 0, 8);        // mtime, low and high
  header += '\x01';
  header += 'k';  // file name
  put_be(header, lzo_adler32(1, bytes_of(header) + 9, header.size() - 9), 4);

  std::string out = header;
  constexpr size_t kBlock = 256 << 10;
  std::vector<unsigned char> work(LZO1X_999_MEM_COMPRESS);
  std::string packed(kBlock + kBlock / 16 + 64 + 3, '\0');
  for (size_t at = 0; at < data.size(); at += kBlock) {
    const std::string_view block = data.substr(at, kBlock);
    lzo_uint n = 0;
    require(lzo1x_999_compress(bytes_of(block), block.size(),
                               reinterpret_cast<unsigned char*>(packed.data()), &n,
                               work.data()) == LZO_E_OK,
            "lzo1x_999_compress");
    put_be(out, block.size(), 4);
    // A block that does not shrink is stored as it is, as lzop does.
    const bool stored = n >= block.size();
    put_be(out, stored ? block.size() : n, 4);
    if (flags & kLzopAdler32D) put_be(out, lzo_adler32(1, bytes_of(block), block.size()), 4);
    if (flags & kLzopCrc32D) put_be(out, lzo_crc32(0, bytes_of(block), block.size()), 4);
    out += stored ? block : std::string_view(packed).substr(0, n);
  }
  put_be(out, 0, 4);  // the end: a block of no bytes
  return out;
}

std::string lz4_legacy(std::string_view data) {
  // What `lz4 -l -12` writes: the magic, then blocks of 8 MiB of input.
  constexpr size_t kBlock = 8 << 20;
  std::string out;
  put_le(out, 0, 0x184c2102, 4);
  std::string packed(static_cast<size_t>(LZ4_compressBound(kBlock)), '\0');
  for (size_t at = 0; at < data.size(); at += kBlock) {
    const std::string_view block = data.substr(at, kBlock);
    const int n = LZ4_compress_HC(block.data(), packed.data(), static_cast<int>(block.size()),
                                  static_cast<int>(packed.size()), LZ4HC_CLEVEL_MAX);
    require(n > 0, "LZ4_compress_HC");
    put_le(out, out.size(), static_cast<uint32_t>(n), 4);
    out.append(packed, 0, static_cast<size_t>(n));
  }
  return out;
}

std::string zstd(std::string_view data) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  require(c != nullptr, "ZSTD_createCCtx");
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 19);
  ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const size_t n = ZSTD_compress2(c, out.data(), out.size(), data.data(), data.size());
  ZSTD_freeCCtx(c);
  require(!ZSTD_isError(n), "ZSTD_compress2");
  out.resize(n);
  return out;
}

std::string compress(std::string_view codec, std::string_view data) {
  if (codec == "gzip") return gzip(data);
  if (codec == "xz") return xz(data);
  if (codec == "lzma") return lzma_alone(data);
  if (codec == "bzip2") return bzip2(data);
  if (codec == "lzo") return lzop(data);
  if (codec == "lz4") return lz4_legacy(data);
  if (codec == "zstd") return zstd(data);
  throw std::invalid_argument("no test compressor for " + std::string(codec));
}

std::string with_size_trailer(std::string stream, uint32_t size) {
  put_le(stream, stream.size(), size, 4);
  return stream;
}

Decoded decode(const Codec& codec, std::string_view input, uint64_t max_output) {
  Decoded d;
  d.info = codec.decode(
      as_bytes(input),
      [&](Bytes chunk) {
        d.out += as_chars(chunk);
        return true;
      },
      max_output);
  return d;
}

uint64_t heap_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

Measured decode_measured(std::string_view codec, std::string_view input, size_t piece) {
  Measured m;
  const uint64_t before = heap_in_use();
  const Sink sink = [&](Bytes chunk) {
    const uint64_t now = heap_in_use();
    m.heap_growth = std::max(m.heap_growth, now > before ? now - before : 0);
    m.out += as_chars(chunk);
    return true;
  };
  m.error = error_of([&] {
    const std::unique_ptr<StreamDecoder> d = codec_named(codec)->open(sink, kDefaultMaxOutput);
    for (size_t at = 0; at < input.size() && !d->ended(); at += piece)
      m.consumed += d->feed(as_bytes(input.substr(at, piece)));
    d->finish();
  });
  return m;
}

void put_le(std::string& s, uint64_t at, uint64_t value, int size) {
  if (s.size() < at + static_cast<uint64_t>(size)) s.resize(at + static_cast<uint64_t>(size));
  for (int i = 0; i < size; ++i)
    s[at + static_cast<uint64_t>(i)] = static_cast<char>((value >> (8 * i)) & 0xff);
}

std::optional<Error> error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ParseError& e) {
    return e.error();
  }
  return std::nullopt;
}

Error decode_error(std::string_view codec, std::string_view stream) {
  const auto e = error_of([&] { (void)decode(*codec_named(codec), stream); });
  if (!e) throw std::logic_error("the stream decoded");
  return *e;
}

void expect_corrupt(std::string_view codec, std::string_view stream, std::string_view message) {
  const Error e = decode_error(codec, stream);
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_TRUE(e.message.starts_with(message)) << e.message;
  ASSERT_TRUE(e.offset.has_value()) << e.message;
  EXPECT_LE(*e.offset, stream.size()) << e.message;
}

}  // namespace lucompat::testing
