// A version set derived from what a kernel (or module) registers, not read
// from an RFC table: its file handlers, FLBs and core ABI strings, where each
// was found, whether LUO is there at all, what could not be read and, for the
// running kernel, what its outgoing sessions preserve now.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lucompat/derive/luo_model.h"
#include "lucompat/table/version_table.h"

namespace lucompat {

// Why a derived set may lack a string the kernel has. Any gap makes the set
// incomplete: "the kernel cannot preserve this family" may then not be
// concluded from a string's absence (fail closed).
enum class GapKind {
  near_miss,        // shaped like a registration, but its ops could not be vouched for
  unread_list,      // a running kernel's list that could not be found or walked
  no_model,         // no struct layout to match objects with
  unread_region,    // bytes the objects may sit in were not read (capture, markers)
  unsearched_kind,  // a kind of object the evidence cannot find (FLBs in a scan)
};
std::string_view name(GapKind k);

struct DerivationGap {
  GapKind kind = GapKind::near_miss;
  std::string detail;  // a sentence: which object, list or region, and why
};

// A file preserved in a running kernel's outgoing session.
struct LiveFile {
  uint64_t token = 0;
  std::string compatible;         // its handler's
  std::vector<std::string> flbs;  // the compatibles of the FLBs its handler uses
};

struct LiveSession {
  std::string name;
  std::vector<LiveFile> files;
};

struct DerivedSet {
  Evidence evidence = Evidence::symtab;
  // What the set rests on, for every report: "symtab + BTF",
  // "kallsyms + documented layout (7.x)", "kallsyms + BTF + kcore".
  std::string basis;
  std::string section;  // where the evidence lies: ".symtab", "kallsyms", a list head
  uint64_t offset = 0;
  std::vector<TableEntry> entries;  // handlers, then FLBs, then core strings by kind order
  std::vector<TableWarning> warnings;
  std::vector<DerivationGap> gaps;
  LuoPresence luo = LuoPresence::unknown;
  // The running kernel's outgoing sessions, when they were read; nullopt
  // when they were not (an image, or a kernel whose BTF lacks them).
  std::optional<std::vector<LiveSession>> sessions;
  // The model the objects were matched with; nullopt when there was none.
  std::optional<LuoModel> model;

  bool complete() const { return gaps.empty(); }
  // The first gap of a kind, or null.
  const DerivationGap* gap(GapKind kind) const;
};

}  // namespace lucompat
