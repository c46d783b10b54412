// Decompressors for every compression the kernel build writes, each a thin
// streaming wrapper over the library made for it. Output goes to a sink in
// chunks, so a caller decides what to keep; the output cap turns a bomb into
// an error instead of an out-of-memory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "lucompat/base/byte_reader.h"

namespace lucompat {

inline constexpr uint64_t kDefaultMaxOutput = uint64_t{1} << 30;

// A zstd frame names its window, up to 2 GiB (128 MiB without --long), and
// the decoder allocates it: sixteen threads reading such frames took 2.2 GB.
// No frame may need more than this (a frame whole in memory needs no more
// than its blocks can fill), and the windows of all threads decoding at once
// stay within it too (a thread waits for others' frames to end), so the
// total is this whatever -j says. Process-wide, like the memory it bounds:
// --max-zstd-window.
inline constexpr uint64_t kDefaultMaxZstdWindow = uint64_t{128} << 20;
void set_max_zstd_window(uint64_t bytes);
uint64_t max_zstd_window();

// Returns false when the consumer has all it needs: the decoder stops there.
using Sink = std::function<bool(Bytes chunk)>;

// Memory the consumer keeps a stream's output in, at the stream's own
// offsets (byte i of the output at data + i), offered to the decoder.
struct OutputArea {
  std::byte* data = nullptr;
  uint64_t size = 0;
};

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

// One stream's decoder, fed its input in pieces: a stream nested in another
// is decoded from the outer one's output as it comes, never held whole.
class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  // Decodes what `input` holds of the stream. Returns how many of its bytes
  // belong to the stream: all of them until the stream ends, then none.
  // Throws ParseError (offsets from the stream's start) on corrupt data, and a
  // limit error once output would pass the cap.
  uint64_t feed(Bytes input);
  // The input has ended: decodes what is still buffered, then throws a
  // "truncated" ParseError unless the stream ended.
  void finish();
  bool ended() const { return ended_; }
  bool stopped() const { return stopped_; }  // the sink wants no more
  uint64_t consumed() const { return consumed_; }
  uint64_t produced() const { return produced_; }
  // A size the stream itself records (gzip's ISIZE), when it has one.
  virtual std::optional<uint32_t> own_size() const { return std::nullopt; }
  // Before the first feed: a decoder whose library would keep all of the
  // output anyway (a zstd frame whose window holds all it can decompress to)
  // may decode straight into `area` instead of a window of its own. Its
  // chunks then lie in `area`, and it reads back what it wrote there: the
  // consumer must leave those bytes as they are. The default ignores it.
  virtual void offer(OutputArea area) { (void)area; }
  // How much of its output it wrote into the area, from its start (all of
  // it when it took the offer, unless it had to give it up).
  virtual uint64_t written_into_area() const { return 0; }
  // Before the first feed: `release` is called, every few MiB, with the
  // part of the input the decoder has read past (see UnwrapOptions).
  void release_input_as_read(std::function<void(Bytes)> release) { release_ = std::move(release); }

 protected:
  StreamDecoder(const Sink& sink, uint64_t max_output, std::string_view name)
      : sink_(sink), max_output_(max_output), name_(name) {}
  // Decodes from `input`, whose first byte is at stream offset consumed():
  // returns the count of bytes used, and calls end() once the stream is
  // complete. Returns early once emit() says the sink wants no more.
  virtual uint64_t decode(Bytes input) = 0;
  // The input has ended: decode what is buffered (liblzma's LZMA_FINISH, a
  // format that ends where its input does). The default has nothing to do.
  virtual void drain() {}
  // Hands output to the sink; false once the sink wants no more.
  [[nodiscard]] bool emit(const void* data, size_t size);
  // The decoder has read the input up to `end`; a pointer outside the piece
  // being fed (a decoder's own copy of a header) says nothing.
  void read_up_to(const std::byte* end);
  void end() { ended_ = true; }
  [[noreturn]] void truncated(uint64_t at) const;
  [[noreturn]] void corrupt(uint64_t at, std::string_view why) const;
  std::string_view name() const { return name_; }

 private:
  const Sink& sink_;
  const uint64_t max_output_;
  const std::string_view name_;
  uint64_t consumed_ = 0;
  uint64_t produced_ = 0;
  bool ended_ = false;
  bool stopped_ = false;
  std::function<void(Bytes)> release_;
  const std::byte* unreleased_ = nullptr;  // where the input not given back starts
  Bytes feeding_;                          // the piece being fed
};

struct Codec {
  std::string_view name;   // "gzip", "xz", "lzma", "bzip2", "lzo", "lz4", "zstd"
  std::string_view magic;  // bytes at the start of a stream
  // A decoder for one stream; `sink` must outlive it.
  std::unique_ptr<StreamDecoder> (*open)(const Sink& sink, uint64_t max_output);

  // The whole stream at the start of `input`. Throws ParseError (offsets
  // relative to `input`) on corrupt or truncated data, and a limit error when
  // output would exceed max_output.
  StreamInfo decode(Bytes input, const Sink& sink, uint64_t max_output) const;
};

std::span<const Codec> codecs();
const Codec* codec_at(Bytes data);                // by magic at data[0]
const Codec* codec_named(std::string_view name);  // "gzip", "xz"...

}  // namespace lucompat
