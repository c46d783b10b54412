#include "kallsyms/token_table.h"

#include <gtest/gtest.h>

#include "kallsyms/test_image.h"

namespace lucompat {
namespace {

using testing::craft_kallsyms;
using testing::sample_symbols;

TEST(TokenTable, ReadsWhatWasWrittenInBothByteOrders) {
  for (ByteOrder order : {ByteOrder::little, ByteOrder::big}) {
    const auto c = craft_kallsyms(sample_symbols(300, 0x1000), {order, 8});
    const ByteReader r(c.bytes, order);
    const TokenTable t = read_token_table(r, c.where.token_table, c.where.token_index);
    EXPECT_EQ(t.tokens['a'], "a");
    EXPECT_EQ(t.tokens['7'], "7");
    EXPECT_GE(t.tokens[1].size(), 2u);  // a pair in a free slot
    const auto found = find_token_tables(r);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].table, c.where.token_table);
    EXPECT_EQ(found[0].index, c.where.token_index);
    // Read in the other byte order, the index is not increasing: nothing found.
    EXPECT_TRUE(find_token_tables(ByteReader(c.bytes, other(order))).empty());
  }
}

TEST(TokenTable, IndexOutOfRangeIsAnError) {
  auto c = craft_kallsyms(sample_symbols(10, 0x1000), {ByteOrder::little, 8});
  c.bytes[c.where.token_index + 2 * 255] = std::byte{0xff};
  c.bytes[c.where.token_index + 2 * 255 + 1] = std::byte{0x7f};
  const ByteReader r(c.bytes, ByteOrder::little);
  try {
    (void)read_token_table(r, c.where.token_table, c.where.token_index);
    FAIL() << "no error";
  } catch (const ParseError& e) {
    EXPECT_NE(e.error().message.find("outside the"), std::string::npos) << e.what();
    EXPECT_EQ(e.error().offset, c.where.token_index + 2 * 255);
  }
}

TEST(TokenTable, ASingleCharacterAtAnotherIndexIsAnError) {
  auto c = craft_kallsyms(sample_symbols(10, 0x1000), {ByteOrder::little, 8});
  // Token 'b' spelled "c": scripts/kallsyms.c never writes that.
  const ByteReader r0(c.bytes, ByteOrder::little);
  const uint64_t at = c.where.token_table + r0.u16(c.where.token_index + 2 * 'b', "i");
  c.bytes[at] = std::byte{'c'};
  const ByteReader r(c.bytes, ByteOrder::little);
  EXPECT_THROW((void)read_token_table(r, c.where.token_table, c.where.token_index), ParseError);
  EXPECT_TRUE(find_token_tables(r).empty());
}

TEST(TokenTable, TruncatedTableIsAnErrorNotACrash) {
  const auto c = craft_kallsyms(sample_symbols(10, 0x1000), {ByteOrder::little, 8});
  const Bytes cut = Bytes(c.bytes).first(c.where.token_index + 100);
  EXPECT_THROW((void)read_token_table(ByteReader(cut, ByteOrder::little), c.where.token_table,
                                      c.where.token_index),
               ParseError);
  EXPECT_TRUE(find_token_tables(ByteReader(cut, ByteOrder::little)).empty());
}

}  // namespace
}  // namespace lucompat
