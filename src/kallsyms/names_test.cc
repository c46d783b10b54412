#include "kallsyms/names.h"

#include <gtest/gtest.h>

#include "kallsyms/test_image.h"

namespace lucompat {
namespace {

using testing::craft_kallsyms;
using testing::sample_symbols;

struct Fixture {
  testing::Crafted c = craft_kallsyms(sample_symbols(600, 0x1000), {ByteOrder::big, 4});
  ByteReader reader() const { return ByteReader(c.bytes, ByteOrder::big); }
  TokenTable tokens() const {
    return read_token_table(reader(), c.where.token_table, c.where.token_index);
  }
};

TEST(Names, DecodesAndMatchesTheMarkers) {
  const Fixture f;
  const auto symbols = sample_symbols(600, 0x1000);
  const DecodedNames d = decode_names(f.reader(), f.c.where.names, symbols.size(), f.tokens(), {});
  ASSERT_EQ(d.names.size(), symbols.size());
  for (size_t i = 0; i < symbols.size(); ++i) {
    EXPECT_EQ(d.names.type(i), symbols[i].type);
    EXPECT_EQ(d.names.name(i), symbols[i].name);
    EXPECT_EQ(d.names.length(i), symbols[i].name.size());
    EXPECT_TRUE(d.names.starts_with(i, symbols[i].name.substr(0, 3)));
  }
  EXPECT_EQ(d.markers.size(), 3u);
  EXPECT_NO_THROW(check_markers(f.reader(), f.c.where.markers, d));
}

TEST(Names, TwoByteLengths) {
  std::vector<testing::CraftSymbol> s = sample_symbols(3, 0x1000);
  s[1].name = std::string(200, 'q');  // 201 tokens: the length takes two bytes
  const auto c = craft_kallsyms(s, {ByteOrder::little, 8});
  const ByteReader r(c.bytes, ByteOrder::little);
  const auto t = read_token_table(r, c.where.token_table, c.where.token_index);
  const DecodedNames d = decode_names(r, c.where.names, s.size(), t, {});
  EXPECT_EQ(d.names.type(1), 't');
  EXPECT_EQ(d.names.name(1), std::string(200, 'q'));
  EXPECT_NO_THROW(check_markers(r, c.where.markers, d));
  KallsymsLimits small;
  small.max_name = 100;
  EXPECT_THROW((void)decode_names(r, c.where.names, s.size(), t, small), ParseError);
}

TEST(Names, InconsistentMarkersAreAnError) {
  Fixture f;
  const DecodedNames d = decode_names(f.reader(), f.c.where.names, 601, f.tokens(), {});
  f.c.bytes[f.c.where.markers + 4 + 3] ^= std::byte{1};  // markers[1], big-endian low byte
  try {
    check_markers(f.reader(), f.c.where.markers, d);
    FAIL() << "no error";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.error().offset, f.c.where.markers + 4);
    EXPECT_NE(e.error().message.find("kallsyms_markers[1]"), std::string::npos) << e.what();
  }
}

TEST(Names, TruncatedNamesAreAnError) {
  const Fixture f;
  const Bytes cut = Bytes(f.c.bytes).first(f.c.where.names + 50);
  EXPECT_THROW(
      (void)decode_names(ByteReader(cut, ByteOrder::big), f.c.where.names, 601, f.tokens(), {}),
      ParseError);
}

TEST(Names, ZeroLengthAndOverLimitCountsAreErrors) {
  Fixture f;
  KallsymsLimits few;
  few.max_symbols = 100;
  EXPECT_THROW((void)decode_names(f.reader(), f.c.where.names, 601, f.tokens(), few), ParseError);
  f.c.bytes[f.c.where.names] = std::byte{0};
  EXPECT_THROW((void)decode_names(f.reader(), f.c.where.names, 601, f.tokens(), {}), ParseError);
}

}  // namespace
}  // namespace lucompat
