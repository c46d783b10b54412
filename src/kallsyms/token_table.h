// kallsyms_token_table and kallsyms_token_index: the 256 tokens every
// compressed name is spelled with. scripts/kallsyms.c puts each character a
// name uses at the index of its own code, and fills the unused indexes with
// tokens of two or more characters (or leaves them empty once no pair pays
// off), so the table is easy to check strictly and to find by its digits.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "lucompat/base/byte_reader.h"
#include "lucompat/base/result.h"

namespace lucompat {

struct TokenTable {
  std::array<std::string, 256> tokens;
  uint64_t table = 0;  // offset of kallsyms_token_table
  uint64_t index = 0;  // offset of kallsyms_token_index
};

// The tables at `table` and `index`, checked token by token, or an error
// naming the offset and what is wrong. Never throws: the search tries it at
// places that are no table.
Result<TokenTable> token_table_at(const ByteReader& image, uint64_t table, uint64_t index);
// The same at a known place, throwing ParseError.
TokenTable read_token_table(const ByteReader& image, uint64_t table, uint64_t index);

// Every place in `image` that holds a valid token table followed by its
// index, found from the run "0\0" "1\0" ... "9\0" the digits make. Besides
// read_token_table's checks, every digit and lower-case letter must be a
// token: a real kernel's names use them all, and random data never passes.
std::vector<TokenTable> find_token_tables(const ByteReader& image);

}  // namespace lucompat
