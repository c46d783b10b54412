// The verdict oracle of issue 23 ("fail closed", class 1), shared by the
// targets that read a kernel (elf, inspect, live): a family check could not
// read is undecided, never "not preservable", so no reading of a mutated
// kernel may make `check` say compatible where it cannot prove that nothing
// is lost.
//
// Each input is the current kernel, judged by check's own code
// (assess_update, decide_update) against next kernels built from it: 7.3.4
// kernels with LUO on (liveupdate=on) and the current kernel's strings,
// less every string of one family it hands over (a handler's or an FLB's),
// once for each such family; or, when it hands none over, all of them. The
// core families then match and LUO runs in both, so the only thing a next
// kernel cannot restore is the family it lacks: "compatible" is right only
// when there is no such family and the current kernel's evidence says so
// whole (answers_fully: an RFC table, or a complete derivation that found
// LUO), or when the library proved it has no LUO at all. One family at a
// time, not all at once: a single lost handler makes the update
// incompatible, which would hide another that check forgot to judge.
//
// The policy is strict, because an optional family's loss is otherwise a
// warning, which exits 0 like compatible; and it trusts a scan, because
// what must keep a scan's verdict closed is its gaps (FLBs not searched),
// not the flag. Every handler and FLB counts as handed over: the fuzzers
// read no sessions (the live target has no BTF to place them), so check
// counts them all, as it does for an image.
#pragma once

#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "lucompat/catalog/catalog.h"
#include "lucompat/check/update_check.h"
#include "lucompat/inspect/inspect.h"

namespace lucompat::fuzz {

inline const Catalog& shipped_catalog() {
  static const Catalog catalog = [] {
    Catalog c;
    if (!c.add(builtin_catalog(), "catalog.toml (built in)")) __builtin_trap();
    return c;
  }();
  return catalog;
}

// Whether an entry of the current kernel is state it hands over: a handler
// or FLB it registers, or, in an RFC table (which lists handlers and the
// core luo string), any string the catalog does not call core or subtree.
inline bool handed_over(const TableEntry& e) {
  if (e.registration)
    return e.registration->kind == EntryKind::file || e.registration->kind == EntryKind::flb;
  const ParsedCompatible p = shipped_catalog().parse(e.compatible);
  const Family* f = p.known ? shipped_catalog().find(p.family) : nullptr;
  return f == nullptr || f->cls == FamilyClass::file || f->cls == FamilyClass::flb;
}

// The family of a string, by the catalog, or the generic guess for one it
// does not know ("widget" of "widget-v3").
inline std::string family_of(const std::string& compatible) {
  return shipped_catalog().parse(compatible).family;
}

// The families the current kernel hands over.
inline std::set<std::string> handed_over_families(const Inspection& current) {
  std::set<std::string> out;
  for (const TableEntry& e : declared_entries(current))
    if (handed_over(e)) out.insert(family_of(e.compatible));
  return out;
}

// A next kernel with the current kernel's strings but those of `lacking`
// (a family, or, when empty, every one handed over).
inline Inspection next_lacking(const Inspection& current, const std::string& lacking) {
  Inspection next;
  next.input = "next";
  next.kind = InputKind::kernel;
  next.arch = current.arch;
  next.byte_order = current.byte_order;
  next.identity.release = "7.3.4";
  DerivedSet& d = next.derived.emplace();
  d.basis = "symtab";
  d.luo = LuoPresence::present;
  for (const TableEntry& e : declared_entries(current))
    if (!handed_over(e) || (!lacking.empty() && family_of(e.compatible) != lacking))
      d.entries.push_back(e);
  // A next kernel without strings leaves check undecided whatever the
  // current one is, which would hide the verdict on a current kernel
  // without LUO: it has 7.3.4's luo string where the current kernel has none.
  if (std::none_of(d.entries.begin(), d.entries.end(),
                   [](const TableEntry& e) { return family_of(e.compatible) == "luo"; }))
    d.entries.push_back({.compatible = "luo-v5", .registration = Registration{EntryKind::core}});
  return next;
}

// check's report on the update from `current` to next_lacking(current,
// lacking), or nullopt where check would stop on an error.
inline std::optional<CheckReport> verdict_lacking(const Inspection& current,
                                                  const std::string& lacking) {
  UpdateInputs in;
  in.catalog = shipped_catalog();
  in.policy.strict = true;
  in.current = kernel_side("fuzz", "--current", current, "kernel fuzz");
  in.next = kernel_side("next", "--next", next_lacking(current, lacking), "kernel next");
  CheckRequest request;
  request.current = "fuzz";
  request.trust_scan = true;
  request.next_cmdline = "liveupdate=on";
  if (!assess_update(in, request)) return std::nullopt;
  return decide_update(in, in.policy);
}

inline void check_verdict(const Inspection& current) {
  // An absent LUO is the library's conclusion, and must agree with what it found.
  if (current.derived && current.derived->luo == LuoPresence::absent &&
      !current.derived->entries.empty())
    __builtin_trap();
  std::set<std::string> families = handed_over_families(current);
  const bool hands_over = !families.empty();
  if (!hands_over) families.insert("");
  for (const std::string& lacking : families) {
    const std::optional<CheckReport> report = verdict_lacking(current, lacking);
    if (!report || (report->verdict != Verdict::compatible && report->verdict != Verdict::warning))
      continue;
    if (std::any_of(report->update.begin(), report->update.end(),
                    [](const Reason& r) { return r.code == ReasonCode::running_without_luo; })) {
      if (luo_presence(current) != LuoPresence::absent) __builtin_trap();
      continue;
    }
    if (hands_over || !answers_fully(current)) __builtin_trap();
  }
}

}  // namespace lucompat::fuzz
