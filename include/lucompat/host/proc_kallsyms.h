// /proc/kallsyms: the running kernel's symbols, its modules' included, at the
// addresses they have now (after KASLR and module loading).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lucompat/base/result.h"

namespace lucompat {

struct ProcSymbol {
  uint64_t address = 0;
  char type = '?';  // nm's letter: t, T, d, D, b, B, r, R, ...
  std::string name;
  std::string module;  // the module's name, empty for the kernel itself
};

struct ProcKallsyms {
  std::vector<ProcSymbol> symbols;  // in file order
  // Every address reads 0: kernel.kptr_restrict hides them from this reader.
  bool addresses_hidden = false;

  // The kernel's own (not a module's) symbol of that name.
  std::optional<uint64_t> kernel_address(std::string_view name) const;
  // The module whose `struct module` (its `__this_module`) sits at `address`.
  std::optional<std::string> module_at(uint64_t address) const;
  // The symbol an address lies in: the last one at or below it, a data
  // symbol first where several start there. Any type letter: x86_64's .data
  // symbols are 't' since 6.x. Null when none is below it.
  const ProcSymbol* symbol_holding(uint64_t address) const;
};

// Lines "ADDRESS TYPE NAME" with an optional "\t[MODULE]". A line of any
// other shape is an error naming `origin` and the line.
Result<ProcKallsyms> parse_proc_kallsyms(std::string_view text, const std::string& origin);

}  // namespace lucompat
