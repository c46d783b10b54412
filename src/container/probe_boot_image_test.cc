// Raw arm64 and riscv Images: a header in front of the kernel's own bytes.
#include <gtest/gtest.h>

#include "container/probe.h"
#include "container/test_probe.h"
#include "container/test_streams.h"

namespace lucompat {
namespace {

using testing::detail;
using testing::put_le;

// Documentation/arch/arm64/booting.rst's 64-byte header.
std::string arm64_image(uint64_t flags) {
  std::string b(0x1000, '\0');
  put_le(b, 0x08, 0x80000, 8);  // text_offset
  put_le(b, 0x10, 0x1000, 8);   // image_size
  put_le(b, 0x18, flags, 8);
  b.replace(0x38, 4, "ARM\x64");
  return b;
}

// Documentation/arch/riscv/boot-image-header.rst: "RISCV\0\0\0" (deprecated)
// at 0x30, "RSC\x05" at 0x38.
std::string riscv_image(bool old_magic, bool new_magic) {
  std::string b(0x1000, '\0');
  put_le(b, 0x10, 0x1000, 8);
  if (old_magic) b.replace(0x30, 8, std::string("RISCV\0\0\0", 8));
  if (new_magic) b.replace(0x38, 4, "RSC\x05");
  return b;
}

TEST(ProbeArm64Image, TheHeaderStatesTheByteOrderOfARawImage) {
  const UnwrapOptions options;
  for (const auto& [flags, order] :
       {std::pair{0u, ByteOrder::little}, std::pair{1u, ByteOrder::big}}) {
    const std::string bytes = arm64_image(flags);
    const auto step = kArm64ImageProbe.probe(as_bytes(bytes), {options, false});
    ASSERT_TRUE(step.has_value());
    EXPECT_EQ(step->layer.format, "arm64 Image");
    EXPECT_EQ(detail(step->layer, "text_offset"), "0x80000");
    EXPECT_EQ(detail(step->layer, "image_size"), "4096");
    EXPECT_EQ(detail(step->layer, "byte_order"), name(order));
    EXPECT_TRUE(step->raw_image);
    EXPECT_EQ(step->raw_order, order);
    EXPECT_EQ(step->inner.data(), as_bytes(bytes).data());
    EXPECT_EQ(step->inner.size(), bytes.size());
  }
  const std::string bytes = arm64_image(0);
  EXPECT_EQ(kArm64ImageProbe.probe(as_bytes(bytes), {options, true})->layer.format,
            "arm64 Image + PE/COFF EFI stub");
}

TEST(ProbeArm64Image, WithoutItsMagicOrHeaderItIsNotOne) {
  const UnwrapOptions options;
  const std::string bytes = arm64_image(0);
  EXPECT_FALSE(kArm64ImageProbe.probe(as_bytes(bytes).first(0x3f), {options}).has_value());
  EXPECT_FALSE(kArm64ImageProbe.probe(as_bytes(riscv_image(true, true)), {options}).has_value());
}

TEST(ProbeRiscvImage, EitherMagicMakesARawLittleEndianImage) {
  const UnwrapOptions options;
  for (const auto& [old_magic, new_magic] :
       {std::pair{true, false}, std::pair{false, true}, std::pair{true, true}}) {
    const std::string bytes = riscv_image(old_magic, new_magic);
    const auto step = kRiscvImageProbe.probe(as_bytes(bytes), {options, false});
    ASSERT_TRUE(step.has_value());
    EXPECT_EQ(step->layer.format, "riscv Image");
    EXPECT_EQ(detail(step->layer, "image_size"), "4096");
    EXPECT_TRUE(step->raw_image);
    EXPECT_EQ(step->raw_order, ByteOrder::little);
  }
  EXPECT_FALSE(kRiscvImageProbe.probe(as_bytes(riscv_image(false, false)), {options}).has_value());
  EXPECT_FALSE(kRiscvImageProbe.probe(as_bytes(arm64_image(0)), {options}).has_value());
  EXPECT_FALSE(
      kRiscvImageProbe.probe(as_bytes(riscv_image(true, true)).first(0x3f), {options}).has_value());
}

}  // namespace
}  // namespace lucompat
