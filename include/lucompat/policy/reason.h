// Why the policy decided as it did, as a code and the values it concerns.
// The policy words nothing: report/ turns a reason into a sentence, the JSON
// gives the code and its values, and a program switches on the code rather
// than parse English that may be reworded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lucompat {

enum class ReasonCode {
  // One family of a check.
  carried,                    // `string` is written and read
  carried_any,                // the running kernel may write any of `running`; all are read
  carried_all,                // the running kernel writes all of `running` (objects); all are read
  negotiated,                 // integer versions `running` and `next` share `version`, as `string`
  not_preservable,            // the running kernel has no string of the family to hand over
  no_core_version,            // the running kernel's table lists no core version
  pin_contradicts_table,      // `source` pins `string`, which the table (`running`) lacks
  demand_not_emittable,       // `source` needs `string`; the table (`running`) lacks it
  demand_conflicts,           // `source` needs `string`, but `other_source` says `other`
  not_read,                   // the running kernel writes `string`; the next reads `next`
  none_read,                  // of `running` it may write, the next reads none (`next`)
  depends_on_configuration,   // of `running`, the next reads `next`, not `components`
  no_shared_integer_version,  // integer versions `running` and `next` share none
  lacks_components,           // `string` against the next's closest, `other`: lacks `components`
  requires_components,        // `other`, the next's closest to `string`, also needs `components`
  needs_lost_flb,             // the family needs FLB `flb`, which the next reads as `next`
  needs_undecided_flb,        // the family needs FLB `flb`, whose verdict is undecided
  // The whole update, beside its families.
  running_without_luo,  // the running kernel has no LUO: it hands nothing over
  next_without_luo,     // the next kernel has no LUO: it restores nothing
  luo_disabled,         // `kernel`'s command line turns LUO off: `detail` says how
  // One string of a profile.
  profile_retired,           // a retired profile is never selected
  profile_not_emittable,     // the running kernel cannot emit `string`
  profile_pinned_elsewhere,  // the running kernel is pinned to emit `other` instead
  profile_not_understood,    // the next kernel does not understand `string`
  // The evidence a stored kernel build gives the fleet.
  kernel_without_table,         // `kernel` has no version table
  kernel_undecided,             // `kernel`'s strings cannot support a verdict, because `detail`
  kernel_architectures_differ,  // the staged kernel is for `next`, the running one for `running`
  // The whole update again: the running kernel lists `string`, which no
  // catalog family knows (`family` is the generic guess), and the next
  // kernel does not.
  unknown_not_read,
  // New codes go above: reasons_test.cc walks every code up to the last.
};
// The code as JSON and the C API spell it: "not_read".
std::string_view name(ReasonCode code);

// What losing a family costs, when the reason is a loss.
enum class Loss {
  none,
  core_state,      // a core ABI: the next kernel cannot read LUO's state (`mismatch` says more)
  files,           // a required family: the preserved files are lost
  optional_files,  // an optional family: its files are not restored (fatal under `strict`)
  // The next kernel refuses every session: a file handler it lacks makes
  // LUO of 6.19 on fail the whole deserialization, or it has no LUO at all.
  every_session,
  // Nothing can be preserved to begin with: LUO is off in the running kernel.
  no_handover,
};
std::string_view name(Loss loss);

enum class KernelRole { running, next };
std::string_view name(KernelRole role);

// Why a kernel's strings cannot support a verdict (kernel_undecided).
enum class UndecidedCause {
  not_searched,       // no version table, and its registrations could not be searched
  tables_disagree,    // its RFC table and its registrations disagree
  incomplete,         // a list or region of its registrations could not be read
  unverified_object,  // an object looks like a registration but could not be verified
  ambiguous_core,     // several core strings of one family: which one it writes is unknown
  scan_only,          // its strings rest on a scan of its bytes alone (no --trust-scan)
};
std::string_view name(UndecidedCause cause);

struct Reason {
  ReasonCode code = ReasonCode::carried;
  std::string family;
  std::string string;                   // the compatible string the reason is about
  std::string source;                   // who asked for it: "--emit", "profile gold", a host.toml
  std::string other;                    // the string it is weighed against
  std::string other_source;             // who asked for `other`
  std::string flb;                      // an FLB the family needs
  std::vector<std::string> running;     // strings (or integer versions) of the running kernel
  std::vector<std::string> next;        // strings (or integer versions) of the next kernel
  std::vector<std::string> components;  // composite components, or strings, it lacks
  std::optional<uint32_t> version;
  std::optional<KernelRole> kernel;
  std::string detail;  // words another layer already wrote: why a build is undecided
  std::optional<UndecidedCause> cause;  // kernel_undecided, when known
  Loss loss = Loss::none;
  std::string mismatch;  // core_state: what the catalog says a mismatch does
  bool strict = false;   // optional_files made fatal by --strict

  bool operator==(const Reason&) const = default;
};

}  // namespace lucompat
