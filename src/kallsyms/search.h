// Finding the kallsyms tables without a symbol table (the stripped ELF in a
// bzImage, a raw arm64 Image): anchored on a validated token table, the
// markers must end right before it (7.0, later 6.x, and 6.1 without
// kallsyms_seqs_of_names) or right before the 3-byte-per-symbol
// kallsyms_seqs_of_names that precedes it (6.1); the names end right before
// the markers, and kallsyms_num_syms sits right before the names. Every
// candidate is decoded in full and checked: the markers must match, and the
// address table must have a reading that fits (kallsyms/addresses.h).
#pragma once

#include <vector>

#include "kallsyms/addresses.h"
#include "kallsyms/names.h"
#include "kallsyms/token_table.h"
#include "lucompat/base/byte_reader.h"
#include "lucompat/kallsyms/kallsyms.h"

namespace lucompat {

// Names and markers that fit a token table, and what their address tables
// read as.
struct FoundTables {
  DecodedNames names;
  // The preferred readings (kallsyms/addresses.h) and where each table lies.
  std::vector<PlacedReading> readings;
  std::vector<Misfit> misfits;  // why the other readings of the address tables failed
};

// Every set of names and markers that uses `tokens`, with the readings of the
// address tables before kallsyms_num_syms (up to 6.1) and after
// kallsyms_token_index (later releases). Never throws.
std::vector<FoundTables> search_tables(const ByteReader& image, const TokenTable& tokens,
                                       const AddressSpace& space, int pointer_size,
                                       const KallsymsLimits& limits);

}  // namespace lucompat
