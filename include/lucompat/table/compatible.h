// The syntax of a compatible string beyond a plain name: a composite of
// components ("memfd-v2;vmalloc-v1", upstream's KHO_SUB_COMPAT) and the
// spelling of an integer-versioned component ("pci@2", a format-2 table's
// name + u32 entry). Kept in one place so that the decoders, the catalog, the
// policy and the reports split strings the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lucompat {

inline constexpr char kComponentSeparator = ';';
inline constexpr char kIntegerVersionSeparator = '@';

// The components of a compatible string, in order; a plain string is its own
// only component.
std::vector<std::string_view> components_of(std::string_view compatible);
bool is_composite(std::string_view compatible);

// The first component (the handler's own) and the others sorted, joined:
// two strings the kernel matches component by component have the same key.
std::string component_key(std::string_view compatible);

struct SyntaxProblem {
  size_t position = 0;  // the byte of the string at fault
  std::string message;
};

// Why a compatible string read from a table or a registration cannot be
// matched: an empty component (a leading, trailing or doubled ';'), or an
// '@', which only an integer-version entry spells.
std::optional<SyntaxProblem> compatible_problem(std::string_view compatible);

struct IntegerVersion {
  std::string_view name;
  uint32_t version = 0;
};

// "pci@2" for the integer entry {name "pci", version 2}.
std::string integer_compatible(std::string_view name, uint32_t version);
// The name and version of a string spelled NAME@N (N from 1 to 2^32-1).
std::optional<IntegerVersion> parse_integer_compatible(std::string_view compatible);

}  // namespace lucompat
