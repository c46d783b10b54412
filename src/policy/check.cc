#include "lucompat/policy/check.h"

#include <algorithm>
#include <set>

#include "lucompat/table/compatible.h"

namespace lucompat {
namespace {

// The strings of one family in a kernel, ordered by version.
std::vector<std::string> strings_of(const Catalog& catalog, const KernelStrings& kernel,
                                    const std::string& family) {
  std::vector<std::pair<unsigned, std::string>> found;
  for (const auto& [s, _] : kernel) {
    const ParsedCompatible p = catalog.parse(s);
    if (p.known && p.family == family) found.emplace_back(p.version.value_or(0), s);
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  out.reserve(found.size());
  for (auto& [v, s] : found) out.push_back(std::move(s));
  return out;
}

// The next kernel reads what the running one writes when it lists a string
// of the same components: upstream's proposal compares a composite component
// by component, so the order of the sub-components does not matter, but the
// first is the handler's own (it finds the handler), and a component too
// many or too few is a mismatch. A plain string is a composite of one.
// The string of `strings` that is `s` component for component; null if none.
const std::string* spelled_in(const std::vector<std::string>& strings, const std::string& s) {
  const std::string key = component_key(s);
  const auto it = std::find_if(strings.begin(), strings.end(),
                               [&](const std::string& u) { return component_key(u) == key; });
  return it == strings.end() ? nullptr : &*it;
}

bool understood(const std::vector<std::string>& understands, const std::string& s) {
  return spelled_in(understands, s) != nullptr;
}

std::vector<std::string> working_set(const FamilyCheck& f) {
  std::vector<std::string> out;
  for (const auto& e : f.emits)
    if (understood(f.understands, e)) out.push_back(e);
  return out;
}

// The versions of the integer-version entries among `strings`.
std::vector<std::string> integer_versions(const std::vector<std::string>& strings) {
  std::vector<std::string> out;
  for (const auto& s : strings)
    if (const auto v = parse_integer_compatible(s)) out.push_back(std::to_string(v->version));
  return out;
}

bool has(const std::vector<std::string_view>& parts, std::string_view c) {
  return std::find(parts.begin(), parts.end(), c) != parts.end();
}

// The next kernel's string with the most components in common with `e`;
// null when none shares one.
const std::string* closest_to(const std::string& e, const std::vector<std::string>& understands) {
  const std::vector<std::string_view> mine = components_of(e);
  const std::string* closest = nullptr;
  size_t best = 0;
  for (const auto& u : understands) {
    const std::vector<std::string_view> theirs = components_of(u);
    const auto shared = static_cast<size_t>(std::count_if(
        mine.begin(), mine.end(), [&](std::string_view c) { return has(theirs, c); }));
    if (shared > best) best = shared, closest = &u;
  }
  return closest;
}

// Why a family is not carried, beyond the verdict's reason: no shared
// integer version, or where a string the next kernel does not read whole
// departs from the next kernel's closest one, so the reason names the
// component ("vmalloc-v1") rather than leave the operator to diff two
// composites.
void note_missing_components(FamilyCheck& f) {
  if (auto mine = integer_versions(f.emits); !mine.empty())
    f.reasons.push_back({.code = ReasonCode::no_shared_integer_version,
                         .family = f.family,
                         .running = std::move(mine),
                         .next = integer_versions(f.understands)});
  for (const auto& e : f.emits) {
    if (understood(f.understands, e)) continue;
    const std::string* closest = closest_to(e, f.understands);
    if (closest == nullptr || (!is_composite(e) && !is_composite(*closest))) continue;
    const std::vector<std::string_view> mine = components_of(e);
    const std::vector<std::string_view> theirs = components_of(*closest);
    std::vector<std::string> lacks, extra;
    for (std::string_view c : mine)
      if (!has(theirs, c)) lacks.emplace_back(c);
    for (std::string_view c : theirs)
      if (!has(mine, c)) extra.emplace_back(c);
    if (!lacks.empty())
      f.reasons.push_back({.code = ReasonCode::lacks_components,
                           .family = f.family,
                           .string = e,
                           .other = *closest,
                           .components = lacks});
    if (!extra.empty())
      f.reasons.push_back({.code = ReasonCode::requires_components,
                           .family = f.family,
                           .string = e,
                           .other = *closest,
                           .components = std::move(extra)});
    f.missing_components[e] = std::move(lacks);
  }
}

// Integer-version entries are negotiated: both kernels use the highest
// version they share, so any shared one carries the family.
bool negotiate(FamilyCheck& f) {
  const std::string* best = nullptr;
  uint32_t best_version = 0;
  for (const auto& w : f.working)
    if (const auto v = parse_integer_compatible(w); v && v->version > best_version)
      best = &w, best_version = v->version;
  if (best == nullptr) return false;
  f.verdict = Verdict::compatible;
  f.chosen = *best;
  f.negotiated_version = best_version;
  f.reasons.push_back({.code = ReasonCode::negotiated,
                       .family = f.family,
                       .string = *best,
                       .running = integer_versions(f.emits),
                       .next = integer_versions(f.understands),
                       .version = best_version});
  return true;
}

// The family cannot be restored: fatal when required, a warning otherwise.
// A file handler the next kernel lacks costs every session there, which no
// operator can call optional.
void lost(FamilyCheck& f, Reason why, const CheckPolicy& policy) {
  const bool strict = policy.strict;
  why.family = f.family;
  if (f.cls == FamilyClass::core || f.cls == FamilyClass::subtree) {
    f.verdict = f.required || strict ? Verdict::incompatible : Verdict::warning;
    why.loss = Loss::core_state;
    why.mismatch = f.mismatch;
    why.strict = !f.required && strict;
  } else if (f.cls == FamilyClass::file && policy.next.refuses_every_session) {
    f.verdict = Verdict::incompatible;
    why.loss = Loss::every_session;
  } else if (f.required) {
    f.verdict = Verdict::incompatible;
    why.loss = Loss::files;
  } else {
    f.verdict = strict ? Verdict::incompatible : Verdict::warning;
    why.loss = Loss::optional_files;
    why.strict = strict;
  }
  f.reasons.push_back(std::move(why));
}

// A pin (--emit, a manifest, a profile) names the one string the running
// kernel writes; true when it decides the family by itself: two pins that
// conflict, or one the running kernel cannot write.
bool decided_by_pin(FamilyCheck& f, const CheckPolicy& policy,
                    const std::vector<std::string>& table) {
  if (const auto c = policy.conflicts.find(f.family); c != policy.conflicts.end()) {
    f.emits.clear();
    lost(f,
         {.code = ReasonCode::demand_conflicts,
          .string = policy.pins.at(f.family),
          .source = policy.pin_sources.at(f.family),
          .other = c->second.string,
          .other_source = c->second.source},
         policy);
    return true;
  }
  const auto pin = policy.pins.find(f.family);
  if (pin != policy.pins.end()) {
    const std::string& source =
        policy.pin_sources.count(f.family) ? policy.pin_sources.at(f.family) : "--emit";
    // A pinned composite is the running kernel's string whatever the order
    // of its sub-components: it writes its own spelling.
    const std::string* emitted = spelled_in(table, pin->second);
    if (emitted == nullptr && policy.demanded.count(f.family) != 0) {
      f.emits.clear();
      lost(f,
           {.code = ReasonCode::demand_not_emittable,
            .string = pin->second,
            .source = source,
            .running = table},
           policy);
      return true;
    }
    if (emitted == nullptr) {
      f.verdict = Verdict::undecided;
      f.reasons.push_back({.code = ReasonCode::pin_contradicts_table,
                           .family = f.family,
                           .string = pin->second,
                           .source = source,
                           .running = table});
      return true;
    }
    f.emits = {*emitted};
  }
  return false;
}

// An indexed family: each string is its own object, all handed over, so
// each must be read.
void judge_all(FamilyCheck& f, const CheckPolicy& policy) {
  f.chosen = "all of " + f.emits.front();
  for (size_t i = 1; i < f.emits.size(); ++i) f.chosen += ", " + f.emits[i];
  f.verdict = Verdict::compatible;
  for (const auto& e : f.emits)
    if (!understood(f.understands, e))
      lost(f, {.code = ReasonCode::not_read, .string = e, .next = f.understands}, policy);
  if (f.verdict == Verdict::compatible)
    f.reasons.push_back({.code = ReasonCode::carried_all, .family = f.family, .running = f.emits});
}

// A versioned family whose running kernel may write one of f.emits.
void judge_one_of(FamilyCheck& f, const CheckPolicy& policy) {
  if (f.emits.size() == 1) {
    const std::string& e = f.emits.front();
    if (understood(f.understands, e)) {
      f.verdict = Verdict::compatible;
      f.chosen = e;
      f.reasons.push_back({.code = ReasonCode::carried, .family = f.family, .string = e});
      return;
    }
    lost(f, {.code = ReasonCode::not_read, .string = e, .next = f.understands}, policy);
    return;
  }
  if (f.working.size() == f.emits.size()) {
    f.verdict = Verdict::compatible;
    f.chosen = "any of " + f.emits.front();
    for (size_t i = 1; i < f.emits.size(); ++i) f.chosen += ", " + f.emits[i];
    f.reasons.push_back({.code = ReasonCode::carried_any, .family = f.family, .running = f.emits});
    return;
  }
  if (!f.working.empty()) {
    f.verdict = Verdict::undecided;
    std::vector<std::string> missing;
    for (const auto& e : f.emits)
      if (!understood(f.understands, e)) missing.push_back(e);
    f.reasons.push_back({.code = ReasonCode::depends_on_configuration,
                         .family = f.family,
                         .running = f.emits,
                         .next = f.working,
                         .components = std::move(missing)});
    return;
  }
  lost(f, {.code = ReasonCode::none_read, .running = f.emits, .next = f.understands}, policy);
}

void judge(FamilyCheck& f, const CheckPolicy& policy, const std::vector<std::string>& table,
           bool indexed) {
  if (decided_by_pin(f, policy, table)) return;
  f.working = working_set(f);

  if (f.emits.empty()) {
    if (f.cls == FamilyClass::core) {
      f.verdict = Verdict::undecided;
      f.reasons.push_back({.code = ReasonCode::no_core_version, .family = f.family});
      return;
    }
    // Such fds (every QEMU holds eventfds) were never handed over: nothing
    // of them can be lost by this update, so they do not decide it.
    f.verdict = Verdict::not_preservable;
    f.reasons.push_back({.code = ReasonCode::not_preservable, .family = f.family});
    return;
  }
  if (indexed) return judge_all(f, policy);
  if (negotiate(f)) return;
  judge_one_of(f, policy);
}

}  // namespace

bool decides(Verdict v) { return v != Verdict::unused && v != Verdict::not_preservable; }

std::string_view name(Verdict v) {
  switch (v) {
    case Verdict::compatible:
      return "compatible";
    case Verdict::warning:
      return "warning";
    case Verdict::undecided:
      return "undecided";
    case Verdict::incompatible:
      return "incompatible";
    case Verdict::unused:
      return "not used";
    case Verdict::not_preservable:
      return "not preservable";
  }
  return "unknown";
}

std::string_view json_name(Verdict v) {
  switch (v) {
    case Verdict::unused:
      return "not_used";
    case Verdict::not_preservable:
      return "not_preservable";
    default:
      return name(v);
  }
}

namespace {

// The families in use, with the FLBs they need added as used by them.
std::map<std::string, FamilyUse> uses_with_needs(const Catalog& catalog,
                                                 const KernelStrings& current,
                                                 const CheckPolicy& policy) {
  std::map<std::string, FamilyUse> uses = policy.uses;
  // By default everything the running kernel can hand over is at stake:
  // its files, the KHO subtrees, and the FLBs, which it attaches to its
  // handlers (which to which, only a live reading knows: a superset).
  if (!policy.uses_given)
    for (const Family& family : catalog.families())
      if (family.cls != FamilyClass::core && !strings_of(catalog, current, family.name).empty())
        uses[family.name].used_by.push_back("the running kernel can hand it over (default)");
  std::map<std::string, FamilyUse> needed;
  for (const auto& [name, use] : uses)
    if (const Family* f = catalog.find(name))
      for (const auto& flb : f->needs) needed[flb].used_by.push_back("needed by " + name);
  for (auto& [flb, use] : needed)
    for (auto& by : use.used_by) uses[flb].used_by.push_back(std::move(by));
  return uses;
}

FamilyCheck check_family(const Catalog& catalog, const Family& family, const KernelStrings& current,
                         const KernelStrings& next, const CheckPolicy& policy,
                         const std::map<std::string, FamilyUse>& uses) {
  FamilyCheck f;
  f.family = family.name;
  f.cls = family.cls;
  f.mismatch = family.mismatch;
  const std::vector<std::string> table = strings_of(catalog, current, family.name);
  f.emits = table;
  f.understands = strings_of(catalog, next, family.name);
  const auto use = uses.find(family.name);
  f.required = use != uses.end() && use->second.required ? *use->second.required : family.required;
  if (use != uses.end())
    f.used_by = use->second.used_by;
  else if (family.cls == FamilyClass::core)
    f.used_by = {"every live update"};
  if (family.cls == FamilyClass::core || use != uses.end()) {
    judge(f, policy, table, family.indexed);
    if (f.verdict != Verdict::compatible && decides(f.verdict)) note_missing_components(f);
    return f;
  }
  f.verdict = Verdict::unused;
  f.working = working_set(f);
  return f;
}

// A family whose files need an FLB the next kernel cannot restore is lost
// with it: "vfio-pci needs pci: the next kernel has no pci FLB". Only FLB
// state the running kernel hands over counts: it lists the FLB (the RFC's
// tables list no FLB at all, so their silence proves nothing).
void apply_needs(const Catalog& catalog, const KernelStrings& current,
                 std::vector<FamilyCheck>& families, const CheckPolicy& policy) {
  const auto find = [&](const std::string& name) -> const FamilyCheck* {
    for (const auto& f : families)
      if (f.family == name) return &f;
    return nullptr;
  };
  for (auto& f : families) {
    if (!decides(f.verdict) || f.verdict == Verdict::incompatible) continue;
    for (const auto& need : catalog.find(f.family)->needs) {
      const FamilyCheck* flb = find(need);
      if (flb == nullptr || strings_of(catalog, current, need).empty()) continue;
      if (flb->verdict == Verdict::incompatible || flb->verdict == Verdict::warning) {
        const Verdict before = f.verdict;
        lost(f, {.code = ReasonCode::needs_lost_flb, .flb = need, .next = flb->understands},
             policy);
        if (before == Verdict::undecided && f.verdict == Verdict::warning) f.verdict = before;
      } else if (flb->verdict == Verdict::undecided && f.verdict != Verdict::undecided) {
        f.verdict = Verdict::undecided;
        f.reasons.push_back(
            {.code = ReasonCode::needs_undecided_flb, .family = f.family, .flb = need});
      }
    }
  }
}

}  // namespace

bool proven_incompatible(const CheckReport& report) {
  if (std::any_of(report.update.begin(), report.update.end(),
                  [](const Reason& r) { return r.loss != Loss::none; }))
    return true;
  return std::any_of(report.families.begin(), report.families.end(), [](const FamilyCheck& f) {
    return f.cls == FamilyClass::core && f.verdict == Verdict::incompatible && !f.emits.empty() &&
           !f.understands.empty();
  });
}

namespace {

// What decides the update before any family: a kernel without LUO, or with
// LUO off on its command line.
void judge_update(CheckReport& report, const CheckPolicy& policy) {
  if (policy.running.luo_enabled == false)
    report.update.push_back({.code = ReasonCode::luo_disabled,
                             .kernel = KernelRole::running,
                             .detail = policy.running.cmdline,
                             .loss = Loss::no_handover});
  if (policy.next.luo == LuoPresence::absent)
    report.update.push_back({.code = ReasonCode::next_without_luo, .loss = Loss::every_session});
  else if (policy.next.luo_enabled == false)
    report.update.push_back({.code = ReasonCode::luo_disabled,
                             .kernel = KernelRole::next,
                             .detail = policy.next.cmdline,
                             .loss = Loss::every_session});
}

}  // namespace

CheckReport check_update(const Catalog& catalog, const KernelStrings& current,
                         const KernelStrings& next, const CheckPolicy& policy) {
  CheckReport report;
  if (policy.running.luo == LuoPresence::absent) {
    // Nothing is handed over, so nothing can be lost.
    report.update.push_back({.code = ReasonCode::running_without_luo});
    return report;
  }
  judge_update(report, policy);
  // A next kernel without LUO reads nothing: no family is carried, and none
  // is worth a reason of its own (not even luo's "would panic").
  if (policy.next.luo == LuoPresence::absent) {
    report.verdict = Verdict::incompatible;
    return report;
  }
  const auto uses = uses_with_needs(catalog, current, policy);
  for (const Family& family : catalog.families()) {
    FamilyCheck f = check_family(catalog, family, current, next, policy, uses);
    const bool listed = !f.emits.empty() || !f.understands.empty();
    // A core family no kernel lists (the RFC's tables list only luo) has
    // nothing to compare unless the catalog says every kernel must list it.
    if (!listed && (f.verdict == Verdict::unused || (f.cls == FamilyClass::core && !family.always)))
      continue;
    // An FLB only pulled in by `needs` that no kernel lists says nothing.
    if (!listed && f.cls == FamilyClass::flb && policy.uses.count(family.name) == 0) continue;
    // Real kernels never list a family of the mainline-shape corpus.
    if (family.shape_only && (f.emits.empty() || f.understands.empty())) continue;
    report.families.push_back(std::move(f));
  }
  apply_needs(catalog, current, report.families, policy);
  std::vector<std::string> understands;
  for (const auto& [s, _] : next) understands.push_back(s);
  for (const auto& [kernel, strings] : {std::pair{"running", &current}, std::pair{"next", &next}})
    for (const auto& [s, _] : *strings) {
      const ParsedCompatible p = catalog.parse(s);
      if (p.known) continue;
      report.unknown.push_back({s, p.family, kernel});
      // A string no family knows may be a handler or an FLB the running
      // kernel hands files over with; unread by the next kernel, it is a
      // family that could not be judged: undecided, never "not preservable"
      // (issue 23). Not when the families in use are known and it is none.
      const bool in_use = !policy.uses_given || policy.uses.count(p.family) != 0;
      if (strings == &current && in_use && !understood(understands, s))
        report.update.push_back(
            {.code = ReasonCode::unknown_not_read, .family = p.family, .string = s});
    }

  report.verdict = Verdict::compatible;
  for (const auto& f : report.families)
    if (decides(f.verdict)) report.verdict = std::max(report.verdict, f.verdict);
  for (const auto& r : report.update)
    if (r.loss != Loss::none)
      report.verdict = Verdict::incompatible;
    else if (r.code == ReasonCode::unknown_not_read)
      report.verdict = std::max(report.verdict, Verdict::undecided);
  return report;
}

}  // namespace lucompat
