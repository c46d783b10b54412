// Finding the kallsyms tables without a symbol table (the stripped ELF in a
// bzImage, a raw arm64 Image): anchored on a validated token table, the
// markers must end right before it (6.2 and later, and 6.1 without
// kallsyms_seqs_of_names) or right before the 3-byte-per-symbol
// kallsyms_seqs_of_names that precedes it (6.1); the names end right before
// the markers, and kallsyms_num_syms sits right before the names. Every
// candidate is decoded in full and checked: the markers must match, the
// addresses must be sorted. Two different decodings are an error.
#pragma once

#include <vector>

#include "kallsyms/token_table.h"
#include "lucompat/base/byte_reader.h"
#include "lucompat/kallsyms/kallsyms.h"

namespace lucompat {

// Every complete, consistent location of tables that use `tokens`; the
// address arrays are tried before kallsyms_num_syms (up to 6.1) and after
// kallsyms_token_index (later releases).
std::vector<KallsymsLocation> search_tables(const ByteReader& image, const TokenTable& tokens,
                                            int pointer_size, const KallsymsLimits& limits);

}  // namespace lucompat
