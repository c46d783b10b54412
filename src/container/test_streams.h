// For the unit tests: streams compressed by the real libraries and framed as
// the kernel build frames them (lz4 -l's legacy frame, lzop's container), so
// that a codec is tested against its format's own writer, not against itself.
// Also the contract every codec keeps (codec_test.cc), written once and
// instantiated beside each codec.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "lucompat/container/codec.h"

namespace lucompat::testing {

// Text-like bytes that compress, but not to nothing: words in an order a
// seed picks.
std::string sample_text(size_t size, uint32_t seed = 1);
// Bytes no compressor shrinks.
std::string random_bytes(size_t size, uint32_t seed = 1);

std::string gzip(std::string_view data);
std::string xz(std::string_view data);
std::string lzma_alone(std::string_view data);  // what `lzma` writes: unknown size, end marker
std::string bzip2(std::string_view data);
// lzop's header flags (lzop.c's F_*); lzop -9 writes adler32 of each block.
inline constexpr uint32_t kLzopAdler32D = 0x1, kLzopCrc32D = 0x100;
std::string lzop(std::string_view data, uint32_t flags = kLzopAdler32D);
std::string lz4_legacy(std::string_view data);
std::string zstd(std::string_view data);
// By the codec's name in codecs().
std::string compress(std::string_view codec, std::string_view data);
// The 4-byte little-endian size the kernel build appends after a stream.
std::string with_size_trailer(std::string stream, uint32_t size);

struct Decoded {
  std::string out;
  StreamInfo info;
};
// The whole output, through a sink that always wants more.
Decoded decode(const Codec& codec, std::string_view input, uint64_t max_output = kDefaultMaxOutput);

// The bytes malloc has handed out. A decoder mallocs its dictionary or
// window whole: the untouched pages cost no RSS, but the allocation is what
// it reserves among all threads, and what a smaller one saves. (Under ASan,
// glibc's counters do not see the sanitizer's heap: a bound on growth then
// holds trivially.)
uint64_t heap_in_use();

struct Measured {
  std::string out;
  std::optional<Error> error;  // what decoding threw
  uint64_t consumed = 0;
  uint64_t heap_growth = 0;  // the most the heap grew while the stream was decoded
};
// `input` decoded whole (as a bzImage's payload is), or fed `piece` bytes at
// a time (as a stream nested in another is).
Measured decode_measured(std::string_view codec, std::string_view input, size_t piece = SIZE_MAX);

// Writes `value` as `size` little-endian bytes at `at`, growing `s` to fit:
// the fields of a container header.
void put_le(std::string& s, uint64_t at, uint64_t value, int size);

// The ParseError `f` throws, or nullopt when it returns.
std::optional<Error> error_of(const std::function<void()>& f);
// The error decoding `stream` with a codec; throws when there is none.
Error decode_error(std::string_view codec, std::string_view stream);
// Corrupt data is a malformed error whose offset names a byte of the input
// (or its end), and whose message starts with `message`.
void expect_corrupt(std::string_view codec, std::string_view stream, std::string_view message);

struct CodecCase {
  std::string_view codec;
  // gzip's own ISIZE field is the size the kernel reads: no trailer follows.
  bool size_in_stream = false;
};
// A test's name shows the codec, not the bytes of the case.
inline void PrintTo(const CodecCase& c, std::ostream* os) { *os << c.codec; }
class CodecContract : public ::testing::TestWithParam<CodecCase> {};

}  // namespace lucompat::testing
