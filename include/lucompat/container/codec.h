// Decompressors for every compression the kernel build writes, each a thin
// streaming wrapper over the library made for it. Output goes to a sink in
// chunks, so a caller decides what to keep; the output cap turns a bomb into
// an error instead of an out-of-memory.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>

#include "lucompat/base/byte_reader.h"

namespace lucompat {

inline constexpr uint64_t kDefaultMaxOutput = uint64_t{1} << 30;

// A zstd frame names its window, up to 2 GiB (128 MiB without --long), and
// the decoder allocates it: sixteen threads reading such frames took 2.2 GB.
// No frame may ask for more than this, and the windows of all threads
// decoding at once stay within it too (a thread waits for others' frames to
// end), so the total is this whatever -j says. Process-wide, like the memory
// it bounds: --max-zstd-window.
inline constexpr uint64_t kDefaultMaxZstdWindow = uint64_t{128} << 20;
void set_max_zstd_window(uint64_t bytes);
uint64_t max_zstd_window();

// Returns false when the consumer has all it needs: the decoder stops there.
using Sink = std::function<bool(Bytes chunk)>;

struct StreamInfo {
  uint64_t consumed = 0;  // compressed bytes that belong to the stream
  uint64_t produced = 0;  // decompressed bytes
  // The 4-byte little-endian size the kernel build appends after the stream
  // (gzip: its own ISIZE field), when present.
  std::optional<uint32_t> size_trailer;
  // The sink stopped the decoder: `consumed` and `produced` count only what
  // was read so far, and the stream's integrity check was not reached.
  bool stopped = false;
};

struct Codec {
  std::string_view name;   // "gzip", "xz", "lzma", "bzip2", "lzo", "lz4", "zstd"
  std::string_view magic;  // bytes at the start of a stream
  // Throws ParseError (offsets relative to `input`) on corrupt or truncated
  // data, and a limit error when output would exceed max_output.
  StreamInfo (*decode)(Bytes input, const Sink& sink, uint64_t max_output);
};

std::span<const Codec> codecs();
const Codec* codec_at(Bytes data);                 // by magic at data[0]
const Codec* codec_named(std::string_view name);   // "gzip", or zboot's "xzkern", "zstd22"

}  // namespace lucompat
