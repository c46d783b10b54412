#include "lucompat/report/reasons.h"

#include <fmt/format.h>

namespace lucompat {
namespace {

using nlohmann::json;

std::string list(const std::vector<std::string>& items) {
  if (items.empty()) return "none";
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// How to settle which string a kernel writes: each string both kernels read.
std::string pin_hint(const Reason& r) {
  std::string out;
  for (const auto& w : r.next)
    out += fmt::format("{}--emit {}={}", out.empty() ? "" : " or ", r.family, w);
  return out;
}

// The fleet's next kernel is the host's staged one.
// "next" in check and in the fleet alike, where it is the staged kernel:
// one reason reads the same wherever it is given.
std::string_view kernel_words(const Reason& r) {
  return r.kernel == KernelRole::running ? "running" : "next";
}

// A string the next kernel reads, or one nothing is handed over with.
std::string what_is_carried(const Reason& r) {
  switch (r.code) {
    case ReasonCode::carried:
      return fmt::format("the running kernel writes {} and the next kernel reads it", r.string);
    case ReasonCode::carried_any:
      return fmt::format(
          "the running kernel may write any of {}, and the next kernel reads all of them",
          list(r.running));
    case ReasonCode::carried_all:
      return fmt::format("the running kernel hands over all of {}, and the next kernel reads each",
                         list(r.running));
    case ReasonCode::negotiated:
      return fmt::format(
          "{} is negotiated by integer version: the running kernel supports {}, the next kernel "
          "{}; both use the highest they share, {} ({})",
          r.family, list(r.running), list(r.next), r.version.value_or(0), r.string);
    case ReasonCode::not_preservable:
      return fmt::format(
          "the running kernel cannot preserve {} (its table has no {} string), so nothing of it "
          "is handed over at kexec and this update cannot lose it",
          r.family, r.family);
    default:
      return std::string(name(r.code));
  }
}

// The site's pins and demands against what the running kernel can write.
std::string what_the_site_says(const Reason& r) {
  switch (r.code) {
    case ReasonCode::no_core_version:
      return "the running kernel's table lists no core version: its ABI cannot be compared";
    case ReasonCode::pin_contradicts_table:
      return fmt::format(
          "{} pins {} to {}, but the running kernel's table lists {}: the pin cannot be right",
          r.source, r.family, r.string, list(r.running));
    case ReasonCode::demand_not_emittable:
      return fmt::format("{} needs {} but the running kernel cannot emit it (its table lists {})",
                         r.source, r.string, list(r.running));
    case ReasonCode::demand_conflicts:
      return fmt::format("{} needs {}, but {} says the running kernel emits {}", r.source, r.string,
                         r.other_source, r.other);
    default:
      return std::string(name(r.code));
  }
}

// A string the running kernel writes and the next kernel cannot read.
std::string what_is_not_read(const Reason& r) {
  switch (r.code) {
    case ReasonCode::not_read:
      return r.next.empty()
                 ? fmt::format(
                       "the running kernel writes {} but the next kernel reads no {} "
                       "version",
                       r.string, r.family)
                 : fmt::format("the running kernel writes {} but the next kernel reads only {}",
                               r.string, list(r.next));
    case ReasonCode::none_read:
      return fmt::format(
          "the running kernel writes one of {} and the next kernel reads none of them (it reads "
          "{})",
          list(r.running), list(r.next));
    case ReasonCode::depends_on_configuration:
      return fmt::format(
          "the running kernel may write any of {}, but the next kernel does not read {}; which "
          "one it writes depends on its configuration: pin it with {}",
          list(r.running), list(r.components), pin_hint(r));
    case ReasonCode::no_shared_integer_version:
      return fmt::format(
          "no integer version of {} is shared: the running kernel supports {}, the next kernel {}",
          r.family, list(r.running), list(r.next));
    case ReasonCode::lacks_components:
      return fmt::format("{}: the next kernel's closest string, {}, lacks the component{} {}",
                         r.string, r.other, r.components.size() == 1 ? "" : "s",
                         list(r.components));
    case ReasonCode::requires_components:
      return fmt::format("{}: the next kernel's closest string, {}, also requires {}", r.string,
                         r.other, list(r.components));
    case ReasonCode::needs_lost_flb:
      return fmt::format("{} needs {}: {}", r.family, r.flb,
                         r.next.empty() ? fmt::format("the next kernel has no {} FLB", r.flb)
                                        : fmt::format("the next kernel's {} FLB reads only {}",
                                                      r.flb, list(r.next)));
    case ReasonCode::needs_undecided_flb:
      return fmt::format("{} needs {}, whose verdict is undecided", r.family, r.flb);
    case ReasonCode::unknown_not_read:
      return fmt::format(
          "the running kernel has {}, which no catalog family knows, and the next kernel does "
          "not: whether it hands files over with it, and what losing them costs, cannot be told "
          "(a catalog family for {} decides: /etc/lucompat/catalog.d, --catalog)",
          r.string, r.family);
    default:
      return std::string(name(r.code));
  }
}

// Whole-kernel reasons: LUO off or absent, no table, no verdict, another architecture.
std::string what_of_a_kernel(const Reason& r) {
  switch (r.code) {
    case ReasonCode::running_without_luo:
      return "the running kernel has no Live Update Orchestrator (CONFIG_LIVEUPDATE is not set): "
             "it hands nothing over, so this update cannot lose preserved state";
    case ReasonCode::next_without_luo:
      return "the next kernel has no Live Update Orchestrator (CONFIG_LIVEUPDATE is not set): it "
             "restores nothing";
    case ReasonCode::luo_disabled:
      return fmt::format(
          "the {} kernel's command line {}: LUO is off there, so nothing is {}",
          r.kernel == KernelRole::running ? "running" : "next", r.detail,
          r.kernel == KernelRole::running ? "preserved (no /dev/liveupdate)" : "restored");
    case ReasonCode::kernel_without_table:
      return fmt::format("the {} kernel has no live-update version table", kernel_words(r));
    case ReasonCode::kernel_undecided:
      return fmt::format("the {} kernel's strings cannot support a verdict: {}", kernel_words(r),
                         r.detail);
    case ReasonCode::kernel_architectures_differ: {
      const auto arch = [](const std::vector<std::string>& a) -> std::string {
        return a.empty() || a.front().empty() ? "an unknown architecture" : a.front();
      };
      return fmt::format(
          "the staged kernel is for {}, the running one for {}: a kexec cannot cross "
          "architectures",
          arch(r.next), arch(r.running));
    }
    default:
      return std::string(name(r.code));
  }
}

// Why a profile is not selected.
std::string what_of_a_profile(const Reason& r) {
  switch (r.code) {
    case ReasonCode::profile_retired:
      return "retired: never selected";
    case ReasonCode::profile_not_emittable:
      return fmt::format("{}: the running kernel cannot emit it (not in its table)", r.string);
    case ReasonCode::profile_pinned_elsewhere:
      return fmt::format("{}: the running kernel is pinned to emit {}", r.string, r.other);
    case ReasonCode::profile_not_understood:
      return fmt::format("{}: the next kernel does not understand it", r.string);
    default:
      return std::string(name(r.code));
  }
}
// One sentence per reason code; the switch names every code, so a new one
// without words is a compiler warning.
std::string what_happens(const Reason& r) {
  switch (r.code) {
    case ReasonCode::carried:
    case ReasonCode::carried_any:
    case ReasonCode::carried_all:
    case ReasonCode::negotiated:
    case ReasonCode::not_preservable:
      return what_is_carried(r);
    case ReasonCode::no_core_version:
    case ReasonCode::pin_contradicts_table:
    case ReasonCode::demand_not_emittable:
    case ReasonCode::demand_conflicts:
      return what_the_site_says(r);
    case ReasonCode::not_read:
    case ReasonCode::none_read:
    case ReasonCode::depends_on_configuration:
    case ReasonCode::no_shared_integer_version:
    case ReasonCode::lacks_components:
    case ReasonCode::requires_components:
    case ReasonCode::needs_lost_flb:
    case ReasonCode::needs_undecided_flb:
    case ReasonCode::unknown_not_read:
      return what_is_not_read(r);
    case ReasonCode::running_without_luo:
    case ReasonCode::next_without_luo:
    case ReasonCode::luo_disabled:
    case ReasonCode::kernel_without_table:
    case ReasonCode::kernel_undecided:
    case ReasonCode::kernel_architectures_differ:
      return what_of_a_kernel(r);
    case ReasonCode::profile_retired:
    case ReasonCode::profile_not_emittable:
    case ReasonCode::profile_pinned_elsewhere:
    case ReasonCode::profile_not_understood:
      return what_of_a_profile(r);
  }
  return std::string(name(r.code));
}

std::string what_it_costs(const Reason& r) {
  switch (r.loss) {
    case Loss::none:
      return {};
    case Loss::core_state:
      return "; " + (r.mismatch.empty() ? "the next kernel cannot read LUO's state" : r.mismatch);
    case Loss::files:
      return "; the preserved files would be lost";
    case Loss::every_session:
      return "; every preserved session would be lost";
    case Loss::no_handover:
      return "; this kexec would be no live update";
    case Loss::optional_files:
      return std::string(
                 "; an optional family: its files will not be restored and the blackout will be "
                 "longer") +
             (r.strict ? " (--strict makes this fatal)" : "");
  }
  return {};
}

}  // namespace

std::string describe(const Reason& reason) { return what_happens(reason) + what_it_costs(reason); }

std::vector<std::string> describe(const std::vector<Reason>& reasons) {
  std::vector<std::string> out;
  out.reserve(reasons.size());
  for (const auto& r : reasons) out.push_back(describe(r));
  return out;
}

std::string describe_warning(const Reason& reason) { return "optional " + describe(reason); }

json reason_json(const Reason& r) {
  json out = {{"code", name(r.code)}};
  const auto text = [&](const char* key, const std::string& value) {
    if (!value.empty()) out[key] = value;
  };
  const auto strings = [&](const char* key, const std::vector<std::string>& value) {
    if (!value.empty()) out[key] = value;
  };
  text("family", r.family);
  text("string", r.string);
  text("source", r.source);
  text("other", r.other);
  text("other_source", r.other_source);
  text("flb", r.flb);
  strings("running", r.running);
  strings("next", r.next);
  strings("components", r.components);
  if (r.version) out["version"] = *r.version;
  if (r.kernel) out["kernel"] = name(*r.kernel);
  text("detail", r.detail);
  if (r.cause) out["cause"] = name(*r.cause);
  if (r.loss != Loss::none) out["loss"] = name(r.loss);
  text("mismatch", r.mismatch);
  if (r.strict) out["strict"] = true;
  return out;
}

json reasons_json(const std::vector<Reason>& reasons) {
  json out = json::array();
  for (const auto& r : reasons) out.push_back(reason_json(r));
  return out;
}

namespace {

// The worst thing the next boot would do, first: a panic or a lost handover
// before lost sessions before lost files.
std::optional<std::string> worst_consequence(const CheckReport& r) {
  for (const auto& u : r.update)
    if (u.loss != Loss::none) return describe(u);
  for (const Loss loss : {Loss::core_state, Loss::every_session, Loss::files})
    for (const auto& f : r.families) {
      if (f.verdict != Verdict::incompatible) continue;
      for (const auto& reason : f.reasons)
        if (reason.loss == loss)
          return fmt::format("{}: {}", f.family,
                             loss == Loss::core_state && !reason.mismatch.empty()
                                 ? reason.mismatch
                                 : describe(reason));
    }
  return std::nullopt;
}

}  // namespace

std::string check_summary(const CheckReport& r) {
  size_t checked = 0, bad = 0, open = 0, warned = 0;
  for (const auto& f : r.families) {
    if (!decides(f.verdict)) continue;
    ++checked;
    bad += f.verdict == Verdict::incompatible;
    open += f.verdict == Verdict::undecided;
    warned += f.verdict == Verdict::warning;
  }
  const auto families = [](size_t n) { return n == 1 ? "family" : "families"; };
  switch (r.verdict) {
    case Verdict::incompatible: {
      const std::string count =
          fmt::format("{} of {} {} in use cannot be restored by the next kernel", bad, checked,
                      families(checked));
      const auto worst = worst_consequence(r);
      if (worst && bad > 0) return fmt::format("INCOMPATIBLE: {}; {}", *worst, count);
      return "INCOMPATIBLE: " + worst.value_or(count);
    }
    case Verdict::undecided:
      if (open == 0)
        for (const auto& u : r.update)
          if (u.code == ReasonCode::unknown_not_read) return "UNDECIDED: " + describe(u);
      return fmt::format("UNDECIDED: {} of {} {} in use need{} more information (see the reasons)",
                         open, checked, families(checked), open == 1 ? "s" : "");
    case Verdict::warning:
      return fmt::format("compatible with warnings: {} optional {} will not be restored", warned,
                         families(warned));
    default:
      for (const auto& u : r.update)
        if (u.code == ReasonCode::running_without_luo) return "compatible: " + describe(u);
      return checked == 1
                 ? std::string("compatible: the next kernel restores the one family in use")
                 : fmt::format("compatible: the next kernel restores all {} families in use",
                               checked);
  }
}

std::string selection_summary(const Selection& s) {
  if (!s.selected) return "no profile can carry this update";
  if (s.selected->status == ProfileStatus::deprecated)
    return fmt::format("selected {} (deprecated: no active profile can carry this update)",
                       s.selected->name);
  return fmt::format("selected {}", s.selected->name);
}

}  // namespace lucompat
