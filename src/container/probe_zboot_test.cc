#include <gtest/gtest.h>

#include "container/probe.h"
#include "container/test_probe.h"
#include "container/test_streams.h"

namespace lucompat {
namespace {

using testing::probe_error;
using testing::put_le;

constexpr uint64_t kPayloadAt = 0x200;

// The header drivers/firmware/efi/libstub/zboot-header.S writes: "MZ",
// "zimg", the payload's offset and size, the compression's name.
std::string zboot(std::string_view compression, const std::string& payload,
                  const std::string& after = "") {
  std::string b(kPayloadAt, '\0');
  b.replace(0, 2, "MZ");
  b.replace(4, 4, "zimg");
  put_le(b, 8, kPayloadAt, 4);
  put_le(b, 12, payload.size(), 4);
  b.replace(0x18, compression.size(), compression);
  return b + payload + after;
}

const std::string kData = testing::sample_text(3000);

std::optional<Step> probe(const std::string& bytes) {
  const UnwrapOptions options;
  return kZbootProbe.probe(as_bytes(bytes), {options, true});
}

TEST(ProbeZboot, TheHeaderNamesThePayloadAndItsCompression) {
  const std::string payload = testing::gzip(kData);
  const std::string bytes = zboot("gzip", payload);
  const auto step = probe(bytes);
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(step->layer.format, "EFI zboot");
  EXPECT_EQ(step->layer.offset, kPayloadAt);
  EXPECT_EQ(step->layer.size, payload.size());
  ASSERT_EQ(step->layer.details.size(), 1u);
  EXPECT_EQ(step->layer.details[0].second, "gzip");
  EXPECT_EQ(step->inner.data(), as_bytes(bytes).data() + kPayloadAt);
  EXPECT_EQ(step->inner.size(), payload.size());
}

TEST(ProbeZboot, TheSizeAfterAZstdPayloadGoesWithIt) {
  // The header counts the stream alone; the size the build appends follows.
  const std::string payload = testing::zstd(kData);
  const std::string trailer = testing::with_size_trailer("", 3000);
  const std::string bytes = zboot("zstd22", payload, trailer);
  const auto step = probe(bytes);
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(step->layer.size, payload.size());
  EXPECT_EQ(as_chars(step->inner), payload + trailer);
}

TEST(ProbeZboot, WithoutMzAndZimgItIsNotOne) {
  std::string bytes = zboot("gzip", testing::gzip(kData));
  EXPECT_FALSE(probe(bytes.substr(0, 0x3f)).has_value());
  bytes[5] = 'x';
  EXPECT_FALSE(probe(bytes).has_value());
}

TEST(ProbeZboot, ACompressionTheKernelDoesNotWriteIsUnsupported) {
  const Error e = probe_error(kZbootProbe.probe, zboot("brotli", testing::gzip(kData)));
  EXPECT_EQ(e.kind, ErrorKind::unsupported);
  EXPECT_EQ(e.offset, 0x18u);
}

TEST(ProbeZboot, ACodecsOwnNameIsNotOneTheKernelWrites) {
  // Makefile.zboot writes "xzkern", never "xz", and no bzip2 at all.
  for (const char* name : {"xz", "zstd", "bzip2"}) {
    const Error e = probe_error(kZbootProbe.probe, zboot(name, testing::gzip(kData)));
    EXPECT_EQ(e.kind, ErrorKind::unsupported) << name;
    EXPECT_EQ(e.offset, 0x18u);
  }
}

TEST(ProbeZboot, APayloadPastTheEndIsAnErrorInsideTheFile) {
  std::string bytes = zboot("gzip", testing::gzip(kData));
  put_le(bytes, 12, 0x100000, 4);
  Error e = probe_error(kZbootProbe.probe, bytes);
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_EQ(e.offset, kPayloadAt);
  put_le(bytes, 8, 0x7fffffff, 4);
  e = probe_error(kZbootProbe.probe, bytes);
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_EQ(e.offset, 8u);
}

TEST(ProbeZboot, APayloadOfAnotherCompressionIsMalformed) {
  const Error e = probe_error(kZbootProbe.probe, zboot("xzkern", testing::gzip(kData)));
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_EQ(e.offset, kPayloadAt);
  EXPECT_NE(e.message.find("xzkern"), std::string::npos) << e.message;
}

}  // namespace
}  // namespace lucompat
