// Payloads found by their magic inside a decompressor: the ARM zImage, and a
// self-decompressing image without a header (s390x's vmlinuz).
#include <gtest/gtest.h>

#include "container/probe.h"
#include "container/test_probe.h"
#include "container/test_rules.h"
#include "container/test_streams.h"

namespace lucompat {
namespace {

using testing::detail;
using testing::probe_error;
using testing::put_le;

// What the test rules take for a payload (test_rules.h).
const std::string kKernel =
    testing::sample_text(20000) + "PAYLOAD" + '\0' + testing::sample_text(20000, 2);
const std::string kPayload = testing::xz(kKernel);
// Bytes of decompressor code: no magic of any codec in them.
const std::string kCode(0x300, '\x90');

// arch/arm/boot/compressed/head.S: the zImage magic at 0x24.
std::string zimage(const std::string& rest) {
  std::string b(0x30, '\0');
  put_le(b, 0x24, 0x016f2818, 4);
  return b + kCode + rest;
}

// The test rules tell a payload from a false hit.
UnwrapOptions with_rules() {
  UnwrapOptions options;
  options.rules = &testing::kTestRules;
  return options;
}

std::optional<Step> probe_arm(const std::string& bytes,
                              const UnwrapOptions& options = with_rules()) {
  return kArmZImageProbe.probe(as_bytes(bytes), {options});
}

std::optional<Step> probe_blob(const std::string& bytes,
                               const UnwrapOptions& options = with_rules()) {
  return kEmbeddedProbe.probe(as_bytes(bytes), {options});
}

// `n` places where a gzip magic starts something that is not gzip.
std::string false_hits(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += "\x1f\x8b\x08" + std::string(61, '\xee');
  return out;
}

TEST(ProbeArmZimage, ThePayloadIsFoundByItsMagicAndDecompressed) {
  const std::string bytes = zimage(kPayload + "tail");
  const auto step = probe_arm(bytes);
  ASSERT_TRUE(step.has_value());
  ASSERT_TRUE(step->outer.has_value());
  EXPECT_EQ(step->outer->format, "ARM zImage");
  EXPECT_EQ(step->outer->offset, 0x30 + kCode.size());
  EXPECT_EQ(step->outer->size, kPayload.size());
  EXPECT_EQ(detail(*step->outer, "payload_offset"), "0x330");
  EXPECT_EQ(detail(*step->outer, "candidates_tried"), "1");
  EXPECT_EQ(step->layer.format, "xz");
  EXPECT_EQ(as_chars(step->inner), kKernel);
}

TEST(ProbeArmZimage, AFalseMagicBeforeThePayloadIsPassedOver) {
  const std::string bytes = zimage(false_hits(2) + kPayload);
  const auto step = probe_arm(bytes);
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(detail(*step->outer, "candidates_tried"), "3");
  EXPECT_EQ(as_chars(step->inner), kKernel);
}

TEST(ProbeArmZimage, ACandidateOverTheOutputCapIsOneFalseHit) {
  // Debian's armhf zImage has an lzma magic before its payload, whose
  // header asks for more than any cap: one failed candidate, not the verdict.
  UnwrapOptions options = with_rules();
  options.max_output = 100000;
  const std::string bytes = zimage(testing::gzip(std::string(200000, '\0')) + kPayload);
  const auto step = probe_arm(bytes, options);
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(detail(*step->outer, "candidates_tried"), "2");
}

TEST(ProbeArmZimage, TheInputsOwnBudgetSpentIsFinal) {
  UnwrapOptions options = with_rules();
  options.budget = std::make_shared<OutputBudget>(100000);
  const std::string bytes = zimage(testing::gzip(std::string(200000, '\0')) + kPayload);
  EXPECT_EQ(probe_error(kArmZImageProbe.probe, bytes, options).kind, ErrorKind::limit);
}

TEST(ProbeArmZimage, AZimageWithoutAKernelInsideIsMalformed) {
  const Error e = probe_error(kArmZImageProbe.probe,
                              zimage(false_hits(1) + testing::gzip("not a kernel")), with_rules());
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  // The byte the last failed candidate failed at: its flags, past the magic at 0x330.
  EXPECT_NE(
      e.message.find("2 candidates tried; the last to fail: gzip at 0x334: corrupt gzip data"),
      std::string::npos)
      << e.message;
}

TEST(ProbeArmZimage, ADecompressorWithMoreCandidatesThanAnyKernelIsGivenUp) {
  const Error e =
      probe_error(kArmZImageProbe.probe, zimage(false_hits(32) + kPayload), with_rules());
  EXPECT_NE(e.message.find("32 candidates tried"), std::string::npos) << e.message;
  EXPECT_TRUE(probe_arm(zimage(false_hits(31) + kPayload)).has_value());
}

TEST(ProbeArmZimage, WithoutItsMagicItIsNotOne) {
  std::string bytes = zimage(kPayload);
  bytes[0x24] = '\0';
  EXPECT_FALSE(probe_arm(bytes).has_value());
  EXPECT_FALSE(probe_arm(bytes.substr(0, 0x2f)).has_value());
}

TEST(ProbeEmbeddedPayload, ASelfDecompressingImageIsFoundWithoutAHeader) {
  const std::string bytes = kCode + false_hits(1) + kPayload;
  const auto step = probe_blob(bytes);
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(step->outer->format, "self-decompressing image");
  EXPECT_EQ(step->outer->offset, kCode.size() + 64);
  EXPECT_EQ(detail(*step->outer, "candidates_tried"), "2");
  EXPECT_EQ(as_chars(step->inner), kKernel);
}

// s390x's vmlinuz and ARM's zImage go on after their payload with the
// decompressor's own data: no warning, but how much in the layer's details.
TEST(ProbeEmbeddedPayload, TheDecompressorsDataAfterThePayloadIsNoWarning) {
  const std::string after(3504, '\x5a');
  for (const auto& step :
       {probe_blob(kCode + kPayload + after), probe_arm(zimage(kPayload + after))}) {
    ASSERT_TRUE(step.has_value());
    EXPECT_TRUE(step->layer.warnings.empty()) << step->layer.warnings.front();
    EXPECT_EQ(detail(step->layer, "bytes_after_stream"), "3504");
    EXPECT_EQ(as_chars(step->inner), kKernel);
  }
}

TEST(ProbeEmbeddedPayload, AnImageWithItsContentOrThatIsAPayloadNeedsNoUnwrapping) {
  EXPECT_FALSE(probe_blob(kCode + "MARK" + kPayload).has_value());
  EXPECT_FALSE(probe_blob(kKernel + kPayload).has_value());
  EXPECT_TRUE(probe_blob(kCode + kPayload).has_value());
}

TEST(ProbeEmbeddedPayload, WithoutRulesNoPayloadIsLookedFor) {
  // Nothing would tell the payload from a false hit.
  EXPECT_FALSE(probe_blob(kCode + kPayload, {}).has_value());
  EXPECT_FALSE(probe_arm(zimage(kPayload), {}).has_value());
}

TEST(ProbeEmbeddedPayload, NothingThatDecompressesIntoAKernelIsNoPayload) {
  EXPECT_FALSE(probe_blob(kCode + false_hits(3) + testing::gzip("not a kernel")).has_value());
  EXPECT_FALSE(probe_blob(kCode).has_value());
}

}  // namespace
}  // namespace lucompat
