#include "lucompat/check/update_check.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "verdict_oracle.h"

namespace lucompat {
namespace {

using fuzz::verdict_lacking;

// A 7.3.4 kernel as a derivation reads it: luo-v5 and kho-v4 in its
// read-only data, and the registrations given.
Inspection kernel_registering(const std::vector<std::pair<EntryKind, std::string>>& objects) {
  Inspection k;
  k.kind = InputKind::kernel;
  k.arch = "x86_64";
  k.byte_order = ByteOrder::little;
  k.identity.release = "7.3.4";
  DerivedSet& d = k.derived.emplace();
  d.basis = "symtab + BTF";
  d.luo = LuoPresence::present;
  for (const auto& [kind, compatible] : std::vector<std::pair<EntryKind, std::string>>{
           {EntryKind::core, "luo-v5"}, {EntryKind::core, "kho-v4"}})
    d.entries.push_back({.compatible = compatible, .registration = Registration{.kind = kind}});
  for (const auto& [kind, compatible] : objects)
    d.entries.push_back({.compatible = compatible,
                         .registration = Registration{.kind = kind, .symbol = compatible}});
  return k;
}

// What the fuzzers' verdict oracle (fuzz/verdict_oracle.h) stands on: check
// against a next kernel with the same strings but one family's (or, with
// "", every handler's and FLB's) calls a kernel compatible only when its
// complete set has nothing to hand over.
TEST(UpdateCheck, AKernelWithNothingToHandOverIsCompatible) {
  const auto r = verdict_lacking(kernel_registering({}), "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->verdict, Verdict::compatible);
}

TEST(UpdateCheck, AHandlerOrFlbTheNextKernelLacksIsNeverCompatible) {
  const Inspection k = kernel_registering(
      {{EntryKind::file, "memfd-v2"}, {EntryKind::flb, "liveupdate-test-flb-v0"}});
  // The FLB is optional: only --strict, which the oracle sets, makes its loss fatal.
  for (const char* lacking : {"", "memfd", "liveupdate-test-flb"}) {
    const auto r = verdict_lacking(k, lacking);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->verdict, Verdict::incompatible) << lacking;
  }
}

// Issue 23, class 1: what a derivation could not read may be a handler, so
// a set with a gap of any kind proves nothing preservable absent. A near
// miss (a handler whose ops could not be vouched for) is not listed, and
// leaves the update undecided, not "not preservable" and compatible.
TEST(UpdateCheck, EveryGapLeavesTheUpdateUndecided) {
  for (const GapKind gap : {GapKind::near_miss, GapKind::unread_list, GapKind::no_model,
                            GapKind::unread_region, GapKind::unsearched_kind}) {
    Inspection k = kernel_registering({});
    k.derived->gaps.push_back({gap, "memfd_luo_handler"});
    const auto r = verdict_lacking(k, "");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->verdict, Verdict::undecided) << name(gap);
    // The whole update's reason, as a code a program can switch on.
    ASSERT_EQ(r->update.size(), 1u) << name(gap);
    EXPECT_EQ(r->update[0].code, ReasonCode::kernel_undecided);
    EXPECT_EQ(r->update[0].kernel, KernelRole::running);
    EXPECT_EQ(r->update[0].cause, gap == GapKind::near_miss ? UndecidedCause::unverified_object
                                                            : UndecidedCause::incomplete);
  }
}

TEST(UpdateCheck, AKernelWithoutLuoIsCompatibleOnlyByTheLibrarysProof) {
  Inspection k = kernel_registering({});
  k.derived->entries.clear();
  k.derived->luo = LuoPresence::absent;
  auto r = verdict_lacking(k, "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->verdict, Verdict::compatible);
  ASSERT_EQ(r->update.size(), 1u);
  EXPECT_EQ(r->update[0].code, ReasonCode::running_without_luo);
  k.derived->luo = LuoPresence::unknown;  // nothing searched: it may have LUO
  r = verdict_lacking(k, "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->verdict, Verdict::undecided);
}

}  // namespace
}  // namespace lucompat
