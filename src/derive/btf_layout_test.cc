#include "lucompat/derive/registration_layout.h"

#include <bpf/btf.h>
#include <gtest/gtest.h>

#include <vector>

namespace lucompat {
namespace {

// BTF written with libbpf's own writer: mainline's four structs, with the
// FLB's private state reduced to an opaque blob of `flb_private` bytes.
std::vector<std::byte> crafted_btf(unsigned flb_private, bool owner_last = true) {
  btf* b = btf__new_empty();
  const int chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
  const int lng = btf__add_int(b, "long", 8, BTF_INT_SIGNED);
  const int fn = btf__add_func_proto(b, lng);
  const int fnp = btf__add_ptr(b, fn);
  const int module = btf__add_struct(b, "module", 0);
  const int module_p = btf__add_ptr(b, module);
  const int compat = btf__add_array(b, lng, btf__add_const(b, chr), 48);
  const int blob = btf__add_array(b, lng, chr, flb_private);

  const int file_ops = btf__add_struct(b, "liveupdate_file_ops", 80);
  const char* names[] = {"can_preserve", "preserve",   "unpreserve", "freeze", "unfreeze",
                         "retrieve",     "can_finish", "finish",     "get_id"};
  if (!owner_last) btf__add_field(b, "owner", module_p, 0, 0);
  for (unsigned i = 0; i < 9; ++i)
    btf__add_field(b, names[i], fnp, (i + (owner_last ? 0 : 1)) * 64, 0);
  if (owner_last) btf__add_field(b, "owner", module_p, 9 * 64, 0);
  const int flb_ops = btf__add_struct(b, "liveupdate_flb_ops", 40);
  const char* flb_names[] = {"preserve", "unpreserve", "retrieve", "finish"};
  for (unsigned i = 0; i < 4; ++i) btf__add_field(b, flb_names[i], fnp, i * 64, 0);
  btf__add_field(b, "owner", module_p, 4 * 64, 0);

  // Every type a struct's fields use exists before the struct: libbpf adds
  // fields to the type added last.
  const int file_ops_p = btf__add_ptr(b, btf__add_const(b, file_ops));
  const int flb_ops_p = btf__add_ptr(b, btf__add_const(b, flb_ops));
  btf__add_struct(b, "liveupdate_file_handler", 88);
  btf__add_field(b, "ops", file_ops_p, 0, 0);
  btf__add_field(b, "compatible", compat, 64, 0);
  btf__add_field(b, "list", blob, 56 * 8, 0);
  btf__add_struct(b, "liveupdate_flb", 56 + flb_private);
  btf__add_field(b, "ops", flb_ops_p, 0, 0);
  btf__add_field(b, "compatible", compat, 64, 0);
  btf__add_field(b, "private", blob, 56 * 8, 0);

  uint32_t size = 0;
  const auto* raw = static_cast<const std::byte*>(btf__raw_data(b, &size));
  std::vector<std::byte> out(raw, raw + size);
  btf__free(b);
  return out;
}

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
