// For the unit tests: kallsyms tables written the way scripts/kallsyms.c
// writes them (6.1 order, or the later order with the address table after
// the token index), in either byte order and pointer size, between filler
// bytes that a search has to skip.
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
  KallsymsAddressing addressing = KallsymsAddressing::relative;
  bool later_order = false;  // offsets after the token index, no seqs_of_names
};

struct Crafted {
  std::vector<std::byte> bytes;
  KallsymsLocation where;
};

// `symbols` sorted by address, as scripts/kallsyms.c sorts them.
Crafted craft_kallsyms(const std::vector<CraftSymbol>& symbols, const CraftOptions& options);

// n symbols with names using every digit and letter, at increasing addresses
// from `base`; every 7th one is data.
std::vector<CraftSymbol> sample_symbols(size_t n, uint64_t base);

}  // namespace lucompat::testing
