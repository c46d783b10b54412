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

// A symbol as a lookup gives it; the views live as long as the ProcKallsyms.
struct ProcSymbol {
  uint64_t address = 0;
  char type = '?';  // nm's letter: t, T, d, D, b, B, r, R, ...
  std::string_view name;
  std::string_view module;  // the module's name, empty for the kernel itself
};

// What reading one may cost. A distribution kernel with its modules lists
// ~300,000 symbols in ~15 MB; the limits are far above any kernel and keep a
// file of one-letter lines (22 million symbols in 128 MiB) from costing
// gigabytes: exit 3 instead.
struct ProcKallsymsLimits {
  uint64_t bytes = uint64_t{256} << 20;
  size_t symbols = size_t{1} << 22;
};

// Kept compact, since it is only searched for a few names and addresses:
// one arena of names and 20 bytes per symbol (its entry, its place in address
// order), rather than two strings per symbol (a 128 MiB file once cost 2.7
// GB).
class ProcKallsyms {
 public:
  size_t size() const { return symbols_.size(); }
  // Every address reads 0: kernel.kptr_restrict hides them from this reader.
  bool addresses_hidden() const { return !symbols_.empty() && !any_address_; }

  // The kernel's own (not a module's) symbol of that name.
  std::optional<uint64_t> kernel_address(std::string_view name) const;
  // The module whose `struct module` (its `__this_module`) sits at `address`.
  std::optional<std::string> module_at(uint64_t address) const;
  // The symbol an address lies in: the last one at or below it, a data
  // symbol first where several start there (the first of those in the
  // file). Any type letter: x86_64's .data symbols are 't' since 6.x.
  std::optional<ProcSymbol> symbol_holding(uint64_t address) const;

 private:
  friend class ProcKallsymsReader;

  struct Entry {
    uint64_t address;
    uint32_t name;    // offset of the NUL-terminated name in names_
    uint16_t module;  // 1 + index in modules_, 0 for the kernel
    char type;
  };
  ProcSymbol symbol(const Entry& e) const;

  std::vector<Entry> symbols_;        // in file order
  std::vector<uint32_t> by_address_;  // indices into symbols_, by address, then file order
  std::string names_;
  std::vector<std::string> modules_;
  std::vector<std::pair<uint64_t, uint16_t>> this_modules_;  // __this_module addresses
  bool any_address_ = false;
};

// Lines "ADDRESS TYPE NAME" with an optional "\t[MODULE]". A line of any
// other shape is an error naming `origin` and the line.
Result<ProcKallsyms> parse_proc_kallsyms(std::string_view text, const std::string& origin,
                                         const ProcKallsymsLimits& limits = {});
// The file at `path`, read a line at a time: never held whole.
Result<ProcKallsyms> read_proc_kallsyms(const std::string& path,
                                        const ProcKallsymsLimits& limits = {});

}  // namespace lucompat
