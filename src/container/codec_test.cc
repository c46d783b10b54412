// The codec registry, and the contract every codec keeps whatever its
// format: CodecContract's tests run once per codec, instantiated in that
// codec's own test file. Only the public interface is used (codec.h), so the
// tests hold whatever way a codec drives its library.
#include "lucompat/container/codec.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "container/test_streams.h"

namespace lucompat::testing {
namespace {

const Codec& codec_of(const CodecCase& c) {
  const Codec* codec = codec_named(c.codec);
  if (codec == nullptr) throw std::invalid_argument("no codec " + std::string(c.codec));
  return *codec;
}

TEST(Codecs, EachIsFoundByItsMagicAndByItsName) {
  ASSERT_EQ(codecs().size(), 7u);
  for (const Codec& c : codecs()) {
    SCOPED_TRACE(std::string(c.name));
    EXPECT_EQ(codec_named(c.name), &c);
    const std::string stream = compress(c.name, sample_text(100));
    EXPECT_TRUE(stream.starts_with(c.magic));
    EXPECT_EQ(codec_at(as_bytes(stream)), &c);
  }
}

TEST(Codecs, OnlyTheirOwnNamesNameThem) {
  EXPECT_EQ(codec_named("xz")->name, "xz");
  EXPECT_EQ(codec_named("xzkern"), nullptr);  // zboot's spelling is zboot's
  EXPECT_EQ(codec_named("deflate"), nullptr);
  EXPECT_EQ(codec_named(""), nullptr);
}

TEST(Codecs, APartOfAMagicIsNoMagic) {
  EXPECT_EQ(codec_at({}), nullptr);
  EXPECT_EQ(codec_at(as_bytes("\x1f\x8b")), nullptr);
  EXPECT_EQ(codec_at(as_bytes("\x7f"
                              "ELF")),
            nullptr);
  // lzma's magic is its usual properties byte and the low bytes of the
  // dictionary size: an 8 MiB dictionary matches, a 12 KiB one does not.
  EXPECT_EQ(codec_at(as_bytes(std::string_view("\x5d\x00\x00\x80\x00", 5)))->name, "lzma");
  EXPECT_EQ(codec_at(as_bytes(std::string_view("\x5d\x00\x30\x00\x00", 5))), nullptr);
}

// A decoder that says it read up to `stop`, then to the end of its piece.
class ReportsReading final : public StreamDecoder {
 public:
  ReportsReading(const Sink& sink, const std::byte* stop)
      : StreamDecoder(sink, kDefaultMaxOutput, "test"), stop_(stop) {}

 private:
  uint64_t decode(Bytes input) override {
    read_up_to(stop_);
    read_up_to(input.data() + input.size());
    return input.size();
  }
  const std::byte* stop_;
};

// zstd reads a frame header gathered across pieces from its own copy, and
// said it read up to that copy: input up to there was given back, and the
// rest never was (the test below failed by heap layout).
TEST(Codecs, ReadingOutsideThePieceGivesNothingBack) {
  std::vector<std::byte> memory(size_t{8} << 20);
  const Bytes piece = Bytes(memory).first(size_t{3} << 20);
  const Sink sink = [](Bytes) { return true; };
  ReportsReading d(sink, memory.data() + (size_t{6} << 20));
  std::vector<Bytes> released;
  d.release_input_as_read([&](Bytes r) { released.push_back(r); });
  EXPECT_EQ(d.feed(piece), piece.size());
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].data(), piece.data());
  EXPECT_EQ(released[0].size(), piece.size());
}

// A kernel's compressed input is given back as the decoder reads past it, in
// steps, from its start and never past what was read (UnwrapOptions).
TEST(Codecs, XzAndZstdGiveTheirInputBackAsTheyReadIt) {
  const std::string data = random_bytes(size_t{7} << 20, 3);
  for (const std::string_view name : {"xz", "zstd"}) {
    SCOPED_TRACE(name);
    const std::string stream = compress(name, data);
    std::vector<Bytes> released;
    size_t produced = 0;
    const Sink sink = [&](Bytes b) {
      produced += b.size();
      return true;
    };
    auto d = codec_named(name)->open(sink, kDefaultMaxOutput);
    d->release_input_as_read([&](Bytes r) { released.push_back(r); });
    const Bytes in = as_bytes(stream);
    EXPECT_EQ(d->feed(in), in.size());
    d->finish();
    EXPECT_EQ(produced, data.size());
    ASSERT_GE(released.size(), 2u);
    const std::byte* at = in.data();
    for (const Bytes r : released) {
      EXPECT_EQ(r.data(), at);
      at = r.data() + r.size();
    }
    EXPECT_LE(at, in.data() + in.size());
  }
}

TEST_P(CodecContract, RoundTripsWhatItsLibraryWrote) {
  const Codec& codec = codec_of(GetParam());
  // One output chunk, several, and an input of a single byte.
  for (size_t size : {size_t{1}, size_t{4000}, size_t{300} << 10}) {
    SCOPED_TRACE(size);
    const std::string data = sample_text(size, static_cast<uint32_t>(size));
    const std::string stream = compress(codec.name, data);
    const Decoded d = decode(codec, stream);
    EXPECT_EQ(d.out, data);
    EXPECT_EQ(d.info.produced, size);
    EXPECT_EQ(d.info.consumed, stream.size());
    EXPECT_FALSE(d.info.stopped);
  }
}

TEST_P(CodecContract, DecodesTheSameFedInPieces) {
  const Codec& codec = codec_of(GetParam());
  // Every unit split at every byte; and pieces that end inside blocks.
  for (const auto& [size, piece] : {std::pair<size_t, size_t>{3000, 1}, {300 << 10, 1000}}) {
    SCOPED_TRACE(piece);
    const std::string data = sample_text(size, 5);
    const std::string stream = compress(codec.name, data);
    const Measured m = decode_measured(codec.name, stream + "tail", piece);
    ASSERT_FALSE(m.error) << m.error->message;
    EXPECT_EQ(m.out, data);
    EXPECT_EQ(m.consumed, stream.size());
  }
}

TEST_P(CodecContract, RoundTripsWhatDoesNotCompress) {
  const Codec& codec = codec_of(GetParam());
  const std::string data = random_bytes(100 << 10);
  const std::string stream = compress(codec.name, data);
  EXPECT_EQ(decode(codec, stream).out, data);
}

TEST_P(CodecContract, EveryTruncationIsAMalformedErrorInsideTheInput) {
  const Codec& codec = codec_of(GetParam());
  const std::string stream = compress(codec.name, sample_text(3000));
  for (size_t n = 0; n < stream.size(); ++n) {
    SCOPED_TRACE(n);
    // A heap block of exactly n bytes: under ASan a read past it is caught.
    const auto cut = std::make_unique_for_overwrite<char[]>(n);
    std::copy_n(stream.data(), n, cut.get());
    const auto e = error_of([&] { (void)decode(codec, std::string_view(cut.get(), n)); });
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->kind, ErrorKind::malformed) << e->message;
    ASSERT_TRUE(e->offset.has_value()) << e->message;
    EXPECT_LE(*e->offset, n) << e->message;
  }
}

TEST_P(CodecContract, OutputPastTheCapIsALimitError) {
  const Codec& codec = codec_of(GetParam());
  const std::string data = sample_text(200 << 10);
  const std::string stream = compress(codec.name, data);
  const auto e = error_of([&] { (void)decode(codec, stream, data.size() - 1); });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, ErrorKind::limit) << e->message;
  EXPECT_EQ(decode(codec, stream, data.size()).out, data);
}

TEST_P(CodecContract, ASinkThatHasEnoughStopsTheDecoder) {
  const Codec& codec = codec_of(GetParam());
  const std::string data = sample_text(1 << 20, 3);
  const std::string stream = compress(codec.name, data);
  int chunks = 0;
  std::string got;
  const StreamInfo info = codec.decode(
      as_bytes(stream),
      [&](Bytes chunk) {
        if (chunk.empty()) return true;
        ++chunks;
        got += as_chars(chunk);
        return false;
      },
      kDefaultMaxOutput);
  EXPECT_EQ(chunks, 1);
  EXPECT_TRUE(info.stopped);
  EXPECT_EQ(info.produced, got.size());
  EXPECT_EQ(got, data.substr(0, got.size()));
  EXPECT_LE(info.consumed, stream.size());
}

TEST_P(CodecContract, TheKernelsSizeTrailerIsReadAfterTheStream) {
  const Codec& codec = codec_of(GetParam());
  const std::string data = sample_text(5000);
  const std::string stream = compress(codec.name, data);
  if (GetParam().size_in_stream) {
    EXPECT_EQ(decode(codec, stream).info.size_trailer, 5000u);
    // What follows the stream is neither part of it nor its size.
    const Decoded d = decode(codec, stream + "\x01\x02\x03\x04\x05");
    EXPECT_EQ(d.info.consumed, stream.size());
    EXPECT_EQ(d.info.size_trailer, 5000u);
    return;
  }
  EXPECT_EQ(decode(codec, stream).info.size_trailer, std::nullopt);
  const Decoded d = decode(codec, with_size_trailer(stream, 5000));
  EXPECT_EQ(d.out, data);
  EXPECT_EQ(d.info.consumed, stream.size());
  EXPECT_EQ(d.info.size_trailer, 5000u);
  // Fewer than four bytes after the stream are no size.
  EXPECT_EQ(decode(codec, stream + std::string("\x88\x13\x00", 3)).info.size_trailer, std::nullopt);
}

}  // namespace
}  // namespace lucompat::testing
