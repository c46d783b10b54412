#include "lucompat/policy/reason.h"

namespace lucompat {

std::string_view name(ReasonCode code) {
  switch (code) {
    case ReasonCode::carried:
      return "carried";
    case ReasonCode::carried_any:
      return "carried_any";
    case ReasonCode::carried_all:
      return "carried_all";
    case ReasonCode::negotiated:
      return "negotiated";
    case ReasonCode::not_preservable:
      return "not_preservable";
    case ReasonCode::no_core_version:
      return "no_core_version";
    case ReasonCode::pin_contradicts_table:
      return "pin_contradicts_table";
    case ReasonCode::demand_not_emittable:
      return "demand_not_emittable";
    case ReasonCode::demand_conflicts:
      return "demand_conflicts";
    case ReasonCode::not_read:
      return "not_read";
    case ReasonCode::none_read:
      return "none_read";
    case ReasonCode::depends_on_configuration:
      return "depends_on_configuration";
    case ReasonCode::no_shared_integer_version:
      return "no_shared_integer_version";
    case ReasonCode::lacks_components:
      return "lacks_components";
    case ReasonCode::requires_components:
      return "requires_components";
    case ReasonCode::needs_lost_flb:
      return "needs_lost_flb";
    case ReasonCode::needs_undecided_flb:
      return "needs_undecided_flb";
    case ReasonCode::running_without_luo:
      return "running_without_luo";
    case ReasonCode::next_without_luo:
      return "next_without_luo";
    case ReasonCode::luo_disabled:
      return "luo_disabled";
    case ReasonCode::profile_retired:
      return "profile_retired";
    case ReasonCode::profile_not_emittable:
      return "profile_not_emittable";
    case ReasonCode::profile_pinned_elsewhere:
      return "profile_pinned_elsewhere";
    case ReasonCode::profile_not_understood:
      return "profile_not_understood";
    case ReasonCode::kernel_without_table:
      return "kernel_without_table";
    case ReasonCode::kernel_undecided:
      return "kernel_undecided";
    case ReasonCode::kernel_architectures_differ:
      return "kernel_architectures_differ";
    case ReasonCode::unknown_not_read:
      return "unknown_not_read";
  }
  return "unknown";
}

std::string_view name(Loss loss) {
  switch (loss) {
    case Loss::none:
      return "none";
    case Loss::core_state:
      return "core_state";
    case Loss::files:
      return "files";
    case Loss::optional_files:
      return "optional_files";
    case Loss::every_session:
      return "every_session";
    case Loss::no_handover:
      return "no_handover";
  }
  return "unknown";
}

std::string_view name(KernelRole role) { return role == KernelRole::running ? "running" : "next"; }

std::string_view name(UndecidedCause cause) {
  switch (cause) {
    case UndecidedCause::not_searched:
      return "not_searched";
    case UndecidedCause::tables_disagree:
      return "tables_disagree";
    case UndecidedCause::incomplete:
      return "incomplete";
    case UndecidedCause::unverified_object:
      return "unverified_object";
    case UndecidedCause::ambiguous_core:
      return "ambiguous_core";
    case UndecidedCause::scan_only:
      return "scan_only";
  }
  return "unknown";
}

}  // namespace lucompat
