// The handler catalog: which family each compatible string belongs to, how
// its fds look in /proc, and whether losing it is fatal. Data, not code:
// data/catalog.toml, extended by /etc/lucompat/catalog.d/*.toml and --catalog.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lucompat/base/result.h"
#include "lucompat/table/compatible_form.h"

namespace lucompat {

enum class FamilyClass { core, subtree, file, flb };
std::string_view name(FamilyClass c);

struct Family {
  std::string name;
  FamilyClass cls = FamilyClass::file;
  std::string description;
  std::vector<std::string> compatible;  // "memfd-v{N}", "liveupdate-test-flb-v{I}"
  std::vector<std::string> fd;          // fnmatch patterns of /proc/PID/fd links
  bool required = true;
  std::vector<std::string> needs;  // FLB families its files need restored first
  bool always = false;             // core: checked even when no kernel lists it
  std::string mismatch;            // core, subtree: what a mismatch does to the next boot
  // Its patterns hold {I}: each string is its own object (an FLB of an
  // array), all handed over together, so each must be read.
  bool indexed = false;
  // Only the mainline-shape corpus lists it: checked when both kernels do.
  bool shape_only = false;
  std::string source;  // "file:line" where it was defined
};

// One component of a compatible string understood: its family (or the
// generic name of an unknown one) and its integer version.
struct ParsedComponent {
  std::string text;
  std::string family;
  std::optional<unsigned> version;
  bool known = false;  // false: no catalog family matched
};

// A compatible string understood. A composite ("memfd-v2;vmalloc-v1")
// belongs to the family of its first component, the handler's own; the
// others are state it carries and must be read too.
struct ParsedCompatible {
  std::string family;
  std::optional<unsigned> version;
  bool known = false;    // false: no catalog family matched (the first component)
  bool integer = false;  // an integer-version entry, "pci@2": negotiated, not matched
  std::vector<ParsedComponent> components;  // every component, the first included
};

// Where a running kernel links its registered file handlers and FLBs, and
// its outgoing sessions (statics of kernel/liveupdate/): a symbol that is the
// list head, or SYMBOL.MEMBER, a member of the struct the symbol is. Names
// are data: another kernel's names take a catalog line, not a new lucompat.
struct RegistrationLists {
  std::vector<std::string> file;  // tried in order; the first the kernel has is used
  std::vector<std::string> flb;
  std::vector<std::string> sessions;
};

class Catalog {
 public:
  // Parses TOML text; errors name `origin`, line and column. A family's
  // `needs` must name FLB families known by then (the shipped catalog's, or
  // the same file's).
  Result<void> add(std::string_view toml, const std::string& origin);

  const std::vector<Family>& families() const { return families_; }
  const Family* find(std::string_view name) const;
  const RegistrationLists& registration_lists() const { return lists_; }
  // The compatible forms of the core families: the strings a derivation
  // looks for in read-only data.
  std::vector<CompatibleForm> core_forms() const;
  // Each component by its own family; a composite's family is its first's.
  ParsedCompatible parse(std::string_view compatible) const;
  // The family whose fd patterns match a /proc/PID/fd link, if any.
  const Family* family_of_fd(std::string_view link) const;

 private:
  // A compatible pattern "PREFIX{N}SUFFIX", matched as plain strings.
  struct Pattern {
    size_t family;
    std::string prefix;
    std::string suffix;
  };
  std::vector<Family> families_;
  std::vector<Pattern> patterns_;
  RegistrationLists lists_;
  void rebuild_patterns();
  ParsedComponent parse_component(std::string_view component) const;
};

// The catalog shipped with lucompat (data/catalog.toml, built in).
std::string_view builtin_catalog();

}  // namespace lucompat
