#include <gtest/gtest.h>

#include "container/probe.h"
#include "container/test_probe.h"
#include "container/test_streams.h"

namespace lucompat {
namespace {

using testing::detail;
using testing::probe_error;
using testing::put_le;

const std::string kVersion = "6.1.0-test (builder@host) #1 SMP PREEMPT_DYNAMIC";
constexpr uint32_t kPayloadOffset = 0x40;

struct BzImage {
  std::string bytes;
  uint64_t payload = 0;  // where the payload starts
};

// The setup header of Documentation/arch/x86/boot.rst, `setup_sects` sectors
// of real-mode code, then the protected-mode code with the payload inside.
BzImage bzimage(const std::string& payload, uint16_t protocol = 0x020f, uint8_t setup_sects = 1) {
  const uint64_t setup = ((setup_sects == 0 ? 4 : setup_sects) + uint64_t{1}) * 512;
  std::string b(setup, '\0');
  put_le(b, 0x1f1, setup_sects, 1);
  put_le(b, 0x1fe, 0xaa55, 2);
  b.replace(0x202, 4, "HdrS");
  put_le(b, 0x206, protocol, 2);
  put_le(b, 0x20e, 0x100, 2);  // kernel_version, from 0x200
  b.replace(0x300, kVersion.size() + 1, kVersion + '\0');
  put_le(b, 0x248, kPayloadOffset, 4);
  put_le(b, 0x24c, payload.size(), 4);
  b += std::string(kPayloadOffset, '\xcc') + payload + std::string(64, '\xcc');
  return {b, setup + kPayloadOffset};
}

const std::string kPayload = testing::xz(testing::sample_text(2000));

std::optional<Step> probe(const std::string& bytes, bool efi_stub = false) {
  const UnwrapOptions options;
  return kBzImageProbe.probe(as_bytes(bytes), {options, efi_stub});
}

TEST(ProbeBzImage, TheSetupHeaderLocatesThePayloadAndNamesTheKernel) {
  const BzImage image = bzimage(kPayload);
  const auto step = probe(image.bytes);
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(step->layer.format, "x86 bzImage");
  EXPECT_EQ(step->layer.offset, image.payload);
  EXPECT_EQ(step->layer.size, kPayload.size());
  EXPECT_EQ(detail(step->layer, "boot_protocol"), "2.15");
  EXPECT_EQ(detail(step->layer, "kernel_version"), kVersion);
  EXPECT_EQ(step->version_hint, "6.1.0-test");
  // The payload is read where it lies, not copied.
  EXPECT_EQ(step->inner.data(), as_bytes(image.bytes).data() + image.payload);
  EXPECT_EQ(step->inner.size(), kPayload.size());
  EXPECT_FALSE(step->raw_image);
  EXPECT_EQ(probe(image.bytes, true)->layer.format, "x86 bzImage + PE/COFF EFI stub");
}

TEST(ProbeBzImage, NoSetupSectorsMeansFour) {
  const BzImage image = bzimage(kPayload, 0x020f, 0);
  EXPECT_EQ(image.payload, 5u * 512 + kPayloadOffset);
  EXPECT_EQ(probe(image.bytes)->layer.offset, image.payload);
}

TEST(ProbeBzImage, WithoutTheBootFlagAndHeaderMagicItIsNotOne) {
  std::string bytes = bzimage(kPayload).bytes;
  EXPECT_FALSE(probe(bytes.substr(0, 0x25f)).has_value());
  std::string no_flag = bytes;
  no_flag[0x1fe] = '\0';
  EXPECT_FALSE(probe(no_flag).has_value());
  bytes[0x202] = 'h';
  EXPECT_FALSE(probe(bytes).has_value());
}

TEST(ProbeBzImage, AProtocolWithoutThePayloadPointerIsUnsupported) {
  const Error e = probe_error(kBzImageProbe.probe, bzimage(kPayload, 0x0207).bytes);
  EXPECT_EQ(e.kind, ErrorKind::unsupported);
  EXPECT_EQ(e.offset, 0x206u);
  EXPECT_NE(e.message.find("2.07"), std::string::npos) << e.message;
}

TEST(ProbeBzImage, APayloadPastTheEndIsAnErrorInsideTheFile) {
  std::string bytes = bzimage(kPayload).bytes;
  put_le(bytes, 0x24c, 0x100000, 4);  // a length past the end
  Error e = probe_error(kBzImageProbe.probe, bytes);
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_EQ(e.offset, 2u * 512 + kPayloadOffset);
  put_le(bytes, 0x248, 0x7fffffff, 4);  // an offset past the end: the field that claims it
  e = probe_error(kBzImageProbe.probe, bytes);
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_EQ(e.offset, 0x248u);
}

TEST(ProbeBzImage, APayloadWithoutACompressionMagicIsMalformed) {
  const BzImage image = bzimage(std::string(100, 'z'));
  const Error e = probe_error(kBzImageProbe.probe, image.bytes);
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_EQ(e.offset, image.payload);
}

TEST(ProbeBzImage, AVersionPointerToNothingIsNoVersion) {
  for (const uint16_t pointer : {uint16_t{0}, uint16_t{0xffff}}) {
    std::string bytes = bzimage(kPayload).bytes;
    put_le(bytes, 0x20e, pointer, 2);
    const auto step = probe(bytes);
    ASSERT_TRUE(step.has_value());
    EXPECT_EQ(detail(step->layer, "kernel_version"), "");
    EXPECT_EQ(step->version_hint, "");
  }
}

}  // namespace
}  // namespace lucompat
