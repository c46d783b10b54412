#include "lucompat/derive/luo_model.h"

#include <gtest/gtest.h>

#include "derive/test_btf.h"
#include "lucompat/base/byte_order.h"

namespace lucompat {
namespace {

// The layer throws; the tests read its failures as Results.
Result<std::optional<LuoModel>> btf_model(Bytes btf, unsigned pointer_size) {
  return catch_parse_errors([&] { return model_from_btf(btf, pointer_size); });
}

TEST(LuoModel, ReadsSizesAndOffsetsOfTheBuild) {
  const auto bytes = crafted_btf(136);
  auto l = btf_model(bytes, 8);
  ASSERT_TRUE(l) << l.error().message;
  ASSERT_TRUE(l->has_value());
  const LuoModel& r = **l;
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
  EXPECT_EQ(r.flb.zero_from, 56u);
}

TEST(LuoModel, OpsNotShapedLikeMainlineAreAnError) {
  const auto bytes = crafted_btf(136, false);
  EXPECT_FALSE(btf_model(bytes, 8));
}

TEST(LuoModel, NoLuoStructsIsNoLayout) {
  btf* b = btf__new_empty();
  btf__add_int(b, "int", 4, BTF_INT_SIGNED);
  uint32_t size = 0;
  const auto* raw = static_cast<const std::byte*>(btf__raw_data(b, &size));
  const std::vector<std::byte> bytes(raw, raw + size);
  btf__free(b);
  auto l = btf_model(bytes, 8);
  ASSERT_TRUE(l);
  EXPECT_FALSE(l->has_value());
}

// The names are looked for before libbpf indexes the types, which a
// distribution kernel's BTF makes 5.5 MiB; types it would refuse do not
// matter when no struct can be LUO's.
TEST(LuoModel, StringsWithoutLuosNamesAreNoLayoutUnread) {
  btf* b = btf__new_empty();
  btf__add_int(b, "int", 4, BTF_INT_SIGNED);
  std::vector<std::byte> bytes = btf_bytes(b);
  const uint32_t type_off = load<uint32_t>(bytes.data() + 8, ByteOrder::little);
  const uint32_t hdr_len = load<uint32_t>(bytes.data() + 4, ByteOrder::little);
  bytes[hdr_len + type_off + 7] = std::byte{0x1f};  // the int's kind: none that exists
  auto l = btf_model(bytes, 8);
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_FALSE(l->has_value());

  // With a struct's name in the strings, libbpf reads it, and refuses it.
  std::vector<std::byte> named = crafted_btf(136);
  const uint32_t named_type_off = load<uint32_t>(named.data() + 8, ByteOrder::little);
  named[hdr_len + named_type_off + 7] = std::byte{0x1f};
  EXPECT_FALSE(btf_model(named, 8));
}

TEST(LuoModel, TruncatedOrGarbageBtfIsAnError) {
  const auto bytes = crafted_btf(136);
  for (size_t cut : {size_t{0}, size_t{4}, size_t{23}, bytes.size() / 2, bytes.size() - 1})
    EXPECT_FALSE(btf_model(Bytes(bytes).first(cut), 8)) << cut;
  std::vector<std::byte> garbage(bytes.size(), std::byte{0x5a});
  EXPECT_FALSE(btf_model(garbage, 8));
}

TEST(LuoModel, DocumentedLayoutsByRelease) {
  for (const char* release : {"6.1.192", "7.3.4", "6.19.0-rc1", "", "garbage"}) {
    const LuoModel l = documented_model(release, 8);
    EXPECT_EQ(l.handler.size, 88u) << release;
    EXPECT_TRUE(l.handler.exact);
    EXPECT_FALSE(l.flb.exact);
    EXPECT_EQ(l.handler.ops.size, 80u);
    EXPECT_EQ(l.flb.ops.size, 40u);
    EXPECT_EQ(l.handler.link_offset, std::optional<uint64_t>(56));
    EXPECT_EQ(l.flb.link_offset, std::optional<uint64_t>(56));
    // An FLB's private state, like a handler's list heads, is zero in an image.
    EXPECT_EQ(l.flb.zero_from, 56u);
    EXPECT_FALSE(l.sessions);
  }
  EXPECT_EQ(documented_model("6.1.192", 8).source, "documented layout (6.1 shape)");
  EXPECT_EQ(documented_model("7.3.4", 8).source, "documented layout (6.19 on)");
  EXPECT_EQ(documented_model("", 8).source, "documented layout");
}

// 6.19 on, FLBs hang from a member of struct luo_flb_global: known without
// BTF for 64-bit kernels only, and never for the 6.1 shape, which has a head
// of its own.
TEST(LuoModel, DocumentedMembers) {
  EXPECT_EQ(documented_model("7.3.4", 8).member_offset("luo_flb_global", "list"),
            std::optional<uint64_t>(48));
  EXPECT_FALSE(documented_model("7.3.4", 4).member_offset("luo_flb_global", "list"));
  EXPECT_FALSE(documented_model("6.1.192", 8).member_offset("luo_flb_global", "list"));
  EXPECT_FALSE(documented_model("7.3.4", 8).member_offset("luo_flb_global", "count"));
}

TEST(LuoModel, BtfPlacesMembersOfAnyStruct) {
  const auto bytes = crafted_btf(136);
  auto l = btf_model(bytes, 8);
  ASSERT_TRUE(l && l->has_value());
  EXPECT_EQ((*l)->member_offset("liveupdate_file_handler", "compatible"),
            std::optional<uint64_t>(8));
  EXPECT_FALSE((*l)->member_offset("liveupdate_file_handler", "nothing"));
  EXPECT_FALSE((*l)->member_offset("no_such_struct", "list"));
  // The crafted BTF has no session structs.
  EXPECT_FALSE((*l)->sessions);
}

}  // namespace
}  // namespace lucompat
