// A kernel without a symbol table (a bzImage's payload, a raw Image) still
// carries its own kallsyms: names and addresses of its objects, and the
// linker's markers of its text, read-only data, data and BTF. Through them
// the derivation reads it as it reads a symbol table (derive/derivation.h).
#pragma once

#include <optional>
#include <span>
#include <string>

#include "lucompat/base/result.h"
#include "lucompat/derive/core_strings.h"
#include "lucompat/derive/derived_set.h"
#include "lucompat/inspect/kernel_bytes.h"

namespace lucompat {

// nullopt: the image has no kallsyms to search by. Offsets are in the
// innermost bytes, as every other reader's.
Result<std::optional<DerivedSet>> registrations_by_kallsyms(
    const KernelBytes& kernel, const std::string& release,
    std::span<const CompatibleForm> core_forms);

}  // namespace lucompat
