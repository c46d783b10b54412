// A new container is one record in the registry: a test-only "box" format
// (a magic, then the offset and size of what it holds) added to a copy of the
// registry is unwrapped, and a stream holding it is captured whole for its
// probe, without a change anywhere else.
#include <gtest/gtest.h>
#include <zlib.h>

#include <vector>

#include "container/probe.h"
#include "container/stream_capture.h"
#include "container/test_rules.h"

namespace lucompat {
namespace {

// No value of the enum names it: a test's own kind.
constexpr auto kBoxKind = static_cast<ContainerKind>(200);

bool sniff_box(Bytes head) { return as_chars(head).starts_with("LCBX"); }

std::optional<Step> probe_box(Bytes data, const ProbeContext&) {
  if (!sniff_box(data)) return std::nullopt;
  const ByteReader r(data, ByteOrder::little);
  const uint32_t offset = r.u32(4, "box offset");
  const uint32_t size = r.u32(8, "box size");
  Step step;
  step.layer.format = "test box";
  step.layer.offset = offset;
  step.layer.size = size;
  step.inner = r.bytes(offset, size, "box contents");
  return step;
}

const ContainerProbe kBox{kBoxKind, "test box", &sniff_box, &probe_box, Capture::whole};

std::vector<const ContainerProbe*> with_box() {
  std::vector<const ContainerProbe*> probes(container_probes().begin(), container_probes().end());
  probes.insert(probes.begin(), &kBox);
  return probes;
}

std::string box(std::string_view contents) {
  std::string out = "LCBX";
  const uint32_t header[2] = {12, static_cast<uint32_t>(contents.size())};
  out.append(reinterpret_cast<const char*>(header), sizeof header);
  out.append(contents);
  return out;
}

std::string gzip(std::string_view data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// What the test rules take for a file (test_rules.h).
std::string file() { return testing::test_file(100000, 64, 50000, {0, 0, UINT64_MAX}); }

TEST(ContainerProbes, ATestFormatIsOneRecord) {
  const std::string input = box(gzip(file()));
  const std::vector<const ContainerProbe*> probes = with_box();
  UnwrapOptions options;
  options.rules = &testing::kTestRules;
  const Unwrapped u = unwrap_with(as_bytes(std::string_view(input)), options, probes);
  ASSERT_EQ(u.chain.size(), 2u);
  EXPECT_EQ(u.chain[0].kind, kBoxKind);
  EXPECT_EQ(u.chain[0].format, "test box");
  EXPECT_EQ(u.chain[1].kind, ContainerKind::compressed);
  EXPECT_EQ(u.kind, Innermost::file);
  EXPECT_EQ(as_chars(u.bytes), file());

  // Without its record the box is only bytes before a gzip magic.
  const Unwrapped plain = unwrap(as_bytes(std::string_view(input)), options);
  ASSERT_FALSE(plain.chain.empty());
  EXPECT_EQ(plain.chain[0].kind, ContainerKind::embedded);
}

TEST(ContainerProbes, AStreamHoldingATestFormatIsCapturedWholeForItsProbe) {
  // Past the 4 MiB kept of any stream: only a container read at random is kept whole.
  const std::string stream = box(std::string(5u << 20, 'x'));
  const std::vector<const ContainerProbe*> probes = with_box();
  for (const bool registered : {true, false}) {
    SparseBuffer buffer(stream.size());
    StreamCapture capture(
        buffer, &testing::kTestRules, false, false,
        registered ? std::span<const ContainerProbe* const>(probes) : container_probes());
    for (size_t at = 0; at < stream.size(); at += 1u << 16)
      ASSERT_TRUE(capture.consume(as_bytes(std::string_view(stream).substr(at, 1u << 16))));
    EXPECT_EQ(capture.whole(), registered);
    EXPECT_EQ(buffer.covers(stream.size() - 16, 16), registered);
  }
}

}  // namespace
}  // namespace lucompat
