// For the unit tests: kallsyms tables written the way scripts/kallsyms.c
// writes them (6.1 order, the later order with the address table after the
// token index, or 7.0's: that order, place-relative offsets, 4-byte labels
// and the table's own kallsyms_* entries), in either byte order and pointer
// size, between filler bytes that a search has to skip.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lucompat/kallsyms/kallsyms.h"

namespace lucompat::testing {

struct CraftSymbol {
  uint64_t address = 0;
  char type = 't';
  std::string name;
  bool percpu = false;  // absolute under KALLSYMS_ABSOLUTE_PERCPU
};

struct CraftOptions {
  ByteOrder order = ByteOrder::little;
  int pointer_size = 8;
  // place_relative implies later_order; so does absolute with own_labels.
  KallsymsAddressing addressing = KallsymsAddressing::relative;
  bool later_order = false;  // the address table and seqs_of_names after the token index
  int alignment = 0;         // of every label; 0: the pointer size (7.0: 4)
  // The table lists its own labels (7.0): kallsyms_num_syms ... at the
  // addresses where those tables end up.
  bool own_labels = false;
  uint64_t text = 0;  // the address of the first byte written (place_relative, own_labels)
};

struct Crafted {
  std::vector<std::byte> bytes;
  KallsymsLocation where;
  std::vector<CraftSymbol> symbols;  // as written: with own_labels, the labels too
};

// `symbols` sorted by address, as scripts/kallsyms.c sorts them.
Crafted craft_kallsyms(const std::vector<CraftSymbol>& symbols, const CraftOptions& options);

// The 7.0 options: place-relative, 4-byte labels, own labels, at `text`.
CraftOptions seven(uint64_t text, ByteOrder order = ByteOrder::little, int pointer_size = 8);

// n symbols with names using every digit and letter, at increasing addresses
// from `base`; every 7th one is data.
std::vector<CraftSymbol> sample_symbols(size_t n, uint64_t base);

}  // namespace lucompat::testing
