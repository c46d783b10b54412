// The verdict of a live update: for every handler family in use, can the
// next kernel restore what the running kernel will write? Pure: the two
// kernels' strings, the catalog and the operator's policy in; verdicts with
// their reasons, as codes and values, out.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lucompat/catalog/catalog.h"
#include "lucompat/policy/reason.h"
#include "lucompat/table/version_table.h"

namespace lucompat {

// What one kernel understands: each compatible string with where it was
// declared ("vmlinuz-6.1.0", "module kernel/drivers/vfio/pci/vfio-pci.ko").
using KernelStrings = std::map<std::string, std::vector<std::string>>;

// `unused` and `not_preservable` describe one family only and never decide
// an update: a family the running kernel cannot preserve at all (no string
// for it in its table) is not handed over, so nothing of it can be lost.
enum class Verdict { compatible, warning, undecided, incompatible, unused, not_preservable };
// name() words a verdict for people ("not used"); json_name() is its
// identifier for JSON, where every enum value is snake_case.
std::string_view name(Verdict v);
std::string_view json_name(Verdict v);
// Whether a family with this verdict decides the update.
bool decides(Verdict v);

struct FamilyUse {
  std::vector<std::string> used_by;  // "--uses", "pid 1234 (qemu) fd 7", "manifest session vm1"
  std::optional<bool> required;      // overrides the catalog
};

// What a source says the running kernel emits.
struct PinClaim {
  std::string source;  // "--emit", "/etc/lucompat/host.toml"
  std::string string;
};

// What is known of one kernel beyond its strings.
struct KernelTraits {
  LuoPresence luo = LuoPresence::unknown;
  // Whether its command line lets LUO run (liveupdate=on, KHO not off);
  // nullopt when the command line is not known.
  std::optional<bool> luo_enabled;
  std::string cmdline;  // what the command line lacks or has that turns LUO off
  // A file handler it lacks makes it refuse every preserved session, not
  // only that handler's files: LUO as merged (6.19 on) fails the whole
  // deserialization (luo_file.c, luo_session.c). The mainline-shape corpus
  // and the RFC's kernels lose only that family's files.
  bool refuses_every_session = false;
};

struct CheckPolicy {
  // Families in use. Empty and not `uses_given`: every file family in the
  // running kernel's table counts as used.
  std::map<std::string, FamilyUse> uses;
  bool uses_given = false;
  std::map<std::string, std::string> pins;         // family -> the string the running kernel emits
  std::map<std::string, std::string> pin_sources;  // family -> "--emit", "/etc/lucompat/host.toml"
  // Families whose pin is a demand (a profile's: "emit this version") rather
  // than knowledge of the running kernel: a demand the running kernel cannot
  // meet loses the family, a wrong claim of knowledge leaves it undecided.
  std::set<std::string> demanded;
  // Demands that contradict what the operator says the running kernel emits:
  // family -> that claim. Such a family cannot be carried.
  std::map<std::string, PinClaim> conflicts;
  bool strict = false;  // optional losses fail the check too
  KernelTraits running;
  KernelTraits next;
};

struct FamilyCheck {
  std::string family;
  FamilyClass cls = FamilyClass::file;
  bool required = true;
  std::string mismatch;  // core: what a mismatch does (the catalog's words)
  std::vector<std::string> used_by;
  std::vector<std::string> emits;        // E: what the running kernel can write (after pins)
  std::vector<std::string> understands;  // U: what the next kernel reads
  std::vector<std::string> working;      // W = E ∩ U
  std::string chosen;                    // the string that will be written, when known
  // Integer-version entries ("pci@2") are negotiated: both kernels use the
  // highest version they share, this one.
  std::optional<uint32_t> negotiated_version;
  // For each string the running kernel may write that the next kernel does
  // not read whole: the components the next kernel's closest string lacks.
  std::map<std::string, std::vector<std::string>> missing_components;
  Verdict verdict = Verdict::unused;
  std::vector<Reason> reasons;
};

struct UnknownString {
  std::string compatible;
  std::string family;  // the generic guess: "foo" from "foo-v2"
  std::string kernel;  // "running" or "next"
};

struct CheckReport {
  Verdict verdict = Verdict::compatible;  // compatible, warning, undecided or incompatible
  std::vector<FamilyCheck> families;      // catalog order
  std::vector<UnknownString> unknown;
  // About the whole update rather than one family: a kernel without LUO, or
  // with LUO off on its command line. Each one that loses is incompatible.
  std::vector<Reason> update;
};

// Whether the report proves the update incompatible whatever strings a
// kernel may hold that were not read: a whole-update loss, or a core family
// both kernels list and the next one does not read.
bool proven_incompatible(const CheckReport& report);

CheckReport check_update(const Catalog& catalog, const KernelStrings& current,
                         const KernelStrings& next, const CheckPolicy& policy);

}  // namespace lucompat
