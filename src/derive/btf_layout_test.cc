#include "lucompat/derive/registration_layout.h"

#include <gtest/gtest.h>

#include "derive/test_btf.h"

namespace lucompat {
namespace {

TEST(BtfLayout, ReadsSizesAndOffsetsOfTheBuild) {
  const auto bytes = crafted_btf(136);
  auto l = layout_from_btf(bytes, 8);
  ASSERT_TRUE(l) << l.error().message;
  ASSERT_TRUE(l->has_value());
  const RegistrationLayout& r = **l;
  EXPECT_EQ(r.source, "BTF");
  EXPECT_EQ(r.handler.size, 88u);
  EXPECT_TRUE(r.handler.exact);
  EXPECT_EQ(r.handler.compatible_offset, 8u);
  EXPECT_EQ(r.handler.compatible_size, 48u);
  EXPECT_EQ(r.handler.zero_from, 56u);
  EXPECT_EQ(r.handler.ops.functions, 9u);
  EXPECT_EQ(r.handler.ops.owner_offset, 72u);
  EXPECT_EQ(r.flb.size, 192u);
  EXPECT_EQ(r.flb.ops.functions, 4u);
  EXPECT_EQ(r.flb.ops.size, 40u);
  // The handler's list head is a member; the FLB's sits in a private state
  // this BTF leaves opaque, so a walk of its list cannot be laid out.
  EXPECT_EQ(r.handler.link_offset, std::optional<uint64_t>(56));
  EXPECT_FALSE(r.flb.link_offset);
}

TEST(BtfLayout, OpsNotShapedLikeMainlineAreAnError) {
  const auto bytes = crafted_btf(136, false);
  EXPECT_FALSE(layout_from_btf(bytes, 8));
}

TEST(BtfLayout, NoLuoStructsIsNoLayout) {
  btf* b = btf__new_empty();
  btf__add_int(b, "int", 4, BTF_INT_SIGNED);
  uint32_t size = 0;
  const auto* raw = static_cast<const std::byte*>(btf__raw_data(b, &size));
  const std::vector<std::byte> bytes(raw, raw + size);
  btf__free(b);
  auto l = layout_from_btf(bytes, 8);
  ASSERT_TRUE(l);
  EXPECT_FALSE(l->has_value());
}

TEST(BtfLayout, TruncatedOrGarbageBtfIsAnError) {
  const auto bytes = crafted_btf(136);
  for (size_t cut : {size_t{0}, size_t{4}, size_t{23}, bytes.size() / 2, bytes.size() - 1})
    EXPECT_FALSE(layout_from_btf(Bytes(bytes).first(cut), 8)) << cut;
  std::vector<std::byte> garbage(bytes.size(), std::byte{0x5a});
  EXPECT_FALSE(layout_from_btf(garbage, 8));
}

TEST(BtfLayout, DocumentedLayout) {
  const RegistrationLayout l = documented_layout(8);
  EXPECT_EQ(l.handler.size, 88u);
  EXPECT_TRUE(l.handler.exact);
  EXPECT_FALSE(l.flb.exact);
  EXPECT_EQ(l.handler.ops.size, 80u);
  EXPECT_EQ(l.flb.ops.size, 40u);
  EXPECT_EQ(l.handler.link_offset, std::optional<uint64_t>(56));
  EXPECT_EQ(l.flb.link_offset, std::optional<uint64_t>(56));
}

}  // namespace
}  // namespace lucompat
