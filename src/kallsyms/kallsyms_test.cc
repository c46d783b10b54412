#include "lucompat/kallsyms/kallsyms.h"

#include <gtest/gtest.h>

#include "kallsyms/test_image.h"

namespace lucompat {
namespace {

using testing::craft_kallsyms;
using testing::CraftOptions;
using testing::CraftSymbol;
using testing::sample_symbols;

Kallsyms decode_ok(const std::vector<std::byte>& bytes, ByteOrder order, int ptr) {
  KallsymsInput in;
  in.image = bytes;
  in.order = order;
  in.pointer_size = ptr;
  auto r = decode_kallsyms(in);
  EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
  if (!r || !*r) {
    ADD_FAILURE() << "no kallsyms found";
    return {};
  }
  return std::move(**r);
}

void expect_same(const Kallsyms& k, const std::vector<CraftSymbol>& want) {
  ASSERT_EQ(k.symbols.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(k.symbols[i].address, want[i].address) << i;
    EXPECT_EQ(k.symbols[i].type, want[i].type) << i;
    EXPECT_EQ(k.symbols[i].name, want[i].name) << i;
  }
}

struct Case {
  ByteOrder order;
  int ptr;
  KallsymsAddressing addressing;
  bool later;
  size_t count;
};

class Layouts : public ::testing::TestWithParam<Case> {};

TEST_P(Layouts, SearchFindsAndDecodesEverySymbol) {
  const Case p = GetParam();
  const uint64_t base = p.ptr == 8 ? 0xffffffff81000000 : 0xc1000000;
  std::vector<CraftSymbol> s = sample_symbols(p.count, base);
  if (p.addressing == KallsymsAddressing::absolute_percpu) {
    // Per-CPU variables first, at their small absolute offsets.
    s.insert(s.begin(), {{0x0, 'D', "fixed_percpu_data", true}, {0x2000, 'D', "runqueues", true}});
  }
  const auto c = craft_kallsyms(s, CraftOptions{p.order, p.ptr, p.addressing, p.later});
  const Kallsyms k = decode_ok(c.bytes, p.order, p.ptr);
  expect_same(k, s);
  EXPECT_EQ(k.addressing, p.addressing);
  EXPECT_FALSE(k.located_by_symtab);
  EXPECT_EQ(k.location.names, c.where.names);
  EXPECT_EQ(k.location.addresses, c.where.addresses);
  ASSERT_EQ(k.find("_text").size(), 1u);
  EXPECT_EQ(k.find("_text")[0]->address, base);
  // Known location, no search: the same reading.
  const ByteReader r(c.bytes, p.order);
  expect_same(decode_kallsyms_at(r, c.where, p.ptr, std::nullopt, {}), s);
}

INSTANTIATE_TEST_SUITE_P(
    Kallsyms, Layouts,
    ::testing::Values(Case{ByteOrder::little, 8, KallsymsAddressing::relative, false, 700},
                      Case{ByteOrder::big, 8, KallsymsAddressing::relative, false, 700},
                      Case{ByteOrder::little, 8, KallsymsAddressing::absolute_percpu, false, 300},
                      Case{ByteOrder::big, 8, KallsymsAddressing::absolute_percpu, false, 300},
                      Case{ByteOrder::little, 8, KallsymsAddressing::absolute, false, 300},
                      Case{ByteOrder::big, 8, KallsymsAddressing::absolute, false, 300},
                      Case{ByteOrder::little, 4, KallsymsAddressing::relative, false, 300},
                      Case{ByteOrder::big, 4, KallsymsAddressing::absolute, false, 300},
                      Case{ByteOrder::little, 8, KallsymsAddressing::relative, true, 300},
                      Case{ByteOrder::big, 4, KallsymsAddressing::absolute, true, 300},
                      Case{ByteOrder::little, 8, KallsymsAddressing::relative, false, 40},
                      Case{ByteOrder::big, 8, KallsymsAddressing::absolute, true, 40}));

TEST(Kallsyms, NoTablesIsNotAnError) {
  std::vector<std::byte> noise(1 << 16);
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<std::byte>(i * 7 + (i >> 8));
  KallsymsInput in;
  in.image = noise;
  auto r = decode_kallsyms(in);
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
}

TEST(Kallsyms, TwoDifferentTablesAreAnError) {
  const auto s = sample_symbols(300, 0xffffffff81000000);
  auto other = s;
  other[5].address += 8;
  const auto a = craft_kallsyms(s, {});
  const auto b = craft_kallsyms(other, {});
  std::vector<std::byte> both = a.bytes;
  both.insert(both.end(), b.bytes.begin(), b.bytes.end());
  KallsymsInput in;
  in.image = both;
  auto r = decode_kallsyms(in);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("two different"), std::string::npos) << r.error().to_string();
}

TEST(Kallsyms, BrokenTablesBehindAGoodTokenTableAreAnError) {
  auto c = craft_kallsyms(sample_symbols(700, 0xffffffff81000000), {});
  c.bytes[c.where.markers + 4] ^= std::byte{1};
  KallsymsInput in;
  in.image = c.bytes;
  auto r = decode_kallsyms(in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::malformed);
  EXPECT_EQ(r.error().offset, c.where.token_table);
}

TEST(Kallsyms, UnsortedOffsetsAtAKnownLocationAreAnError) {
  auto c = craft_kallsyms(sample_symbols(300, 0xffffffff81000000), {});
  c.bytes[c.where.addresses + 4 * 10 + 3] = std::byte{0x40};  // offset 10 jumps far ahead
  EXPECT_THROW((void)decode_kallsyms_at(ByteReader(c.bytes, ByteOrder::little), c.where, 8,
                                        std::nullopt, {}),
               ParseError);
}

TEST(Kallsyms, ZeroRelativeBaseIsUnsupported) {
  auto c = craft_kallsyms(sample_symbols(300, 0xffffffff81000000), {});
  for (int i = 0; i < 8; ++i) c.bytes[*c.where.relative_base + i] = std::byte{0};
  try {
    (void)decode_kallsyms_at(ByteReader(c.bytes, ByteOrder::little), c.where, 8, std::nullopt, {});
    FAIL() << "no error";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.error().kind, ErrorKind::unsupported);
    EXPECT_EQ(e.error().offset, *c.where.relative_base);
  }
}

TEST(Kallsyms, SortedAsSystemMap) {
  const std::vector<KallsymsSymbol> s{
      {0x20, 'T', "b"}, {0x10, 'T', "z"}, {0x10, 'T', "_a"}, {0x10, 't', "x"}, {0x10, 'T', "x"}};
  const auto sorted = sorted_by_address(s);
  ASSERT_EQ(sorted.size(), 5u);
  EXPECT_EQ(sorted[0].name, "_a");  // '_' sorts before letters, byte by byte
  EXPECT_EQ(sorted[1].type, 't');   // equal in address and name: table order
  EXPECT_EQ(sorted[2].type, 'T');
  EXPECT_EQ(sorted[3].name, "z");
  EXPECT_EQ(sorted[4].name, "b");
}

}  // namespace
}  // namespace lucompat
