// kallsyms_names and kallsyms_markers: each symbol's name as a length (one
// byte, or two when the first has bit 7 set: ULEB128, since 6.1) and that
// many token indexes; its expansion starts with the symbol's type. The
// markers hold the names offset of every 256th symbol, so the kernel can skip
// ahead; here they double as a strict check of the decoding.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kallsyms/token_table.h"
#include "lucompat/base/byte_reader.h"
#include "lucompat/base/result.h"
#include "lucompat/kallsyms/kallsyms.h"

namespace lucompat {

struct DecodedNames {
  KallsymsNames names;
  std::vector<uint32_t> markers;  // the names offset of symbols 0, 256, 512, ...
  uint64_t end = 0;               // the offset just past the last name
  // The names the address readings check against where things lie (the
  // table's own kallsyms_* labels, and _text), by symbol, in table order.
  std::vector<std::pair<size_t, std::string>> labels;
  size_t size() const { return names.size(); }
};

// The names, or an error naming the symbol and offset of the first bad one.
// Never throws: the search tries many places that are not the names.
Result<DecodedNames> read_names(const ByteReader& image, uint64_t names, uint64_t count,
                                const TokenTable& tokens, const KallsymsLimits& limits);
// The same, throwing ParseError.
DecodedNames decode_names(const ByteReader& image, uint64_t names, uint64_t count,
                          const TokenTable& tokens, const KallsymsLimits& limits);

// An error unless the u32 markers at `markers` are `names.markers` and the
// names end right before them (alignment padding aside). Never throws.
Result<void> match_markers(const ByteReader& image, uint64_t markers, const DecodedNames& names);
// The same, throwing ParseError.
void check_markers(const ByteReader& image, uint64_t markers, const DecodedNames& names);

}  // namespace lucompat
