// A kernel without a symbol table (a bzImage's payload, a raw Image) still
// carries its own kallsyms: names and addresses of its objects, and the
// linker's markers of its text, read-only data, data and BTF. Through them,
// the registrations are found as the symbol table would find them.
#pragma once

#include <optional>
#include <span>

#include "lucompat/base/result.h"
#include "lucompat/derive/core_strings.h"
#include "lucompat/inspect/kernel_bytes.h"
#include "lucompat/table/table_location.h"

namespace lucompat {

struct KallsymsDerivation {
  bool searched = false;              // the image has kallsyms to search by
  std::optional<LocatedTable> table;  // nullopt: nothing registered was found
};

// Offsets are in the innermost bytes, as every other reader's.
Result<KallsymsDerivation> registrations_by_kallsyms(const KernelBytes& kernel,
                                                     std::span<const CompatibleForm> core_forms);

}  // namespace lucompat
