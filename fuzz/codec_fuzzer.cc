// Each decompressor on its own, under a 1 MiB output cap: the first byte picks
// the codec, the rest is its input. Oracle: fed in pieces (as a stream nested
// in another is), a decoder gives exactly what it gives fed all at once, with
// one exception by design: a zstd frame whole in hand is bounded by its
// blocks, so it may be decoded whole under a window it names past the limit
// and refused in pieces (CodecZstd.AFrameFedInPiecesHasTheWindowItNames).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>

#include "lucompat/base/error.h"
#include "lucompat/container/codec.h"

namespace {

constexpr uint64_t kCap = 1u << 20;

struct Outcome {
  std::string output;
  uint64_t consumed = 0;
};

// Why a decoding failed, when it did.
struct Failure {
  lucompat::ErrorKind kind;
};
using Result = std::variant<Outcome, Failure>;

Result whole(const lucompat::Codec& codec, lucompat::Bytes input) {
  Outcome o;
  try {
    o.consumed = codec
                     .decode(
                         input,
                         [&](lucompat::Bytes b) {
                           o.output.append(lucompat::as_chars(b));
                           return true;
                         },
                         kCap)
                     .consumed;
  } catch (const lucompat::ParseError& e) {
    return Failure{e.error().kind};  // corrupt, truncated or over a cap: the expected failures
  }
  return o;
}

// Piece sizes from the input's own bytes: 1 to 64, so splits land everywhere.
Result in_pieces(const lucompat::Codec& codec, lucompat::Bytes input) {
  Outcome o;
  const lucompat::Sink sink = [&](lucompat::Bytes b) {
    o.output.append(lucompat::as_chars(b));
    return true;
  };
  try {
    const auto decoder = codec.open(sink, kCap);
    for (size_t at = 0, i = 0; at < input.size(); ++i) {
      const size_t n = std::min<size_t>(1 + static_cast<uint8_t>(input[i % input.size()]) % 64,
                                        input.size() - at);
      decoder->feed(input.subspan(at, n));
      at += n;
    }
    decoder->finish();
    o.consumed = decoder->consumed();
  } catch (const lucompat::ParseError& e) {
    return Failure{e.error().kind};
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto codecs = lucompat::codecs();
  const lucompat::Codec& codec = codecs[data[0] % codecs.size()];
  const lucompat::Bytes input(reinterpret_cast<const std::byte*>(data + 1), size - 1);
  const Result a = whole(codec, input);
  const Result b = in_pieces(codec, input);
  const auto* ao = std::get_if<Outcome>(&a);
  const auto* bo = std::get_if<Outcome>(&b);
  if (ao && bo && (ao->output != bo->output || ao->consumed != bo->consumed)) abort();
  if (ao && !bo) {
    const bool window_refused =
        codec.name == "zstd" && std::get<Failure>(b).kind == lucompat::ErrorKind::limit;
    if (!window_refused) abort();
  }
  if (!ao && bo) abort();
  return 0;
}
