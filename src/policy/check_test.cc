#include "lucompat/policy/check.h"

#include <gtest/gtest.h>

#include "policy/test_kernels.h"

namespace lucompat {
namespace {

const FamilyCheck& family(const CheckReport& r, const std::string& name) {
  for (const auto& f : r.families)
    if (f.family == name) return f;
  throw std::runtime_error("no family " + name);
}

TEST(Check, OldToNewIsCompatibleForMemfd) {
  const auto r = check_update(shipped(), kOld, kNew, {});
  EXPECT_EQ(r.verdict, Verdict::compatible);
  EXPECT_EQ(family(r, "memfd").chosen, "memfd-v1");
  EXPECT_EQ(family(r, "memfd").reasons,
            (std::vector<Reason>{
                {.code = ReasonCode::carried, .family = "memfd", .string = "memfd-v1"}}));
  EXPECT_EQ(family(r, "luo").verdict, Verdict::compatible);
}

TEST(Check, CoreMismatchIsFatal) {
  CheckPolicy p;
  p.uses_given = true;  // nothing but the core
  const auto r = check_update(shipped(), kNew, kBreak, p);
  EXPECT_EQ(r.verdict, Verdict::incompatible);
  const auto& luo = family(r, "luo");
  EXPECT_EQ(luo.verdict, Verdict::incompatible);
  const Reason& why = luo.reasons.front();
  EXPECT_EQ(why.code, ReasonCode::not_read);
  EXPECT_EQ(why.string, "luo-v1");
  EXPECT_EQ(why.next, std::vector<std::string>{"luo-v2"});
  EXPECT_EQ(why.loss, Loss::core_state);
  EXPECT_EQ(
      why.mismatch,
      "the next kernel would panic on boot (LUO state is incompatible)");  // the catalog's words
}

TEST(Check, UsedFamilyAbsentInNextKernel) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["vfio-pci"] = {{"--uses"}, {}};
  const auto r = check_update(shipped(), kNew, kernel({"luo-v1", "memfd-v1"}), p);
  EXPECT_EQ(r.verdict, Verdict::incompatible);
  EXPECT_EQ(family(r, "vfio-pci").reasons.front(), (Reason{.code = ReasonCode::not_read,
                                                           .family = "vfio-pci",
                                                           .string = "vfio-pci-v1",
                                                           .loss = Loss::files}));
}

TEST(Check, OptionalFamilyMissingWarnsUnlessStrict) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["pci"] = {{"--uses"}, {}};
  const auto cur = kernel({"luo-v1", "pci-v1"});
  const auto nxt = kernel({"luo-v1", "pci-v2"});
  auto r = check_update(shipped(), cur, nxt, p);
  EXPECT_EQ(r.verdict, Verdict::warning);
  EXPECT_EQ(family(r, "pci").verdict, Verdict::warning);
  EXPECT_EQ(family(r, "pci").reasons.front().loss, Loss::optional_files);
  EXPECT_FALSE(family(r, "pci").reasons.front().strict);
  p.strict = true;
  r = check_update(shipped(), cur, nxt, p);
  EXPECT_EQ(r.verdict, Verdict::incompatible);
  EXPECT_TRUE(family(r, "pci").reasons.front().strict);
}

TEST(Check, TwoVersionsUnpinnedIsUndecidedUntilPinned) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["memfd"] = {{"--uses"}, {}};
  const auto nxt = kernel({"luo-v1", "memfd-v1"});
  auto r = check_update(shipped(), kNew, nxt, p);
  EXPECT_EQ(r.verdict, Verdict::undecided);
  EXPECT_EQ(family(r, "memfd").reasons.front(),
            (Reason{.code = ReasonCode::depends_on_configuration,
                    .family = "memfd",
                    .running = {"memfd-v1", "memfd-v2"},
                    .next = {"memfd-v1"},  // what a pin may name
                    .components = {"memfd-v2"}}));
  p.pins["memfd"] = "memfd-v1";
  r = check_update(shipped(), kNew, nxt, p);
  EXPECT_EQ(r.verdict, Verdict::compatible);
  EXPECT_EQ(family(r, "memfd").chosen, "memfd-v1");
  p.pins["memfd"] = "memfd-v2";
  r = check_update(shipped(), kNew, nxt, p);
  EXPECT_EQ(r.verdict, Verdict::incompatible);
}

TEST(Check, AllEmittableVersionsUnderstoodNeedsNoPin) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["memfd"] = {{"--uses"}, {}};
  const auto r = check_update(shipped(), kNew, kNew, p);
  EXPECT_EQ(family(r, "memfd").verdict, Verdict::compatible);
  EXPECT_EQ(family(r, "memfd").chosen, "any of memfd-v1, memfd-v2");
}

TEST(Check, PinOutsideTheRunningTableIsUndecided) {
  CheckPolicy p;
  p.pins["memfd"] = "memfd-v9";
  const auto r = check_update(shipped(), kOld, kNew, p);
  EXPECT_EQ(family(r, "memfd").verdict, Verdict::undecided);
}

// Such fds were never handed over (every QEMU holds eventfds): a note that
// neither passes nor fails the update.
TEST(Check, FamilyTheRunningKernelCannotPreserveIsANoteNotALoss) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["iommufd"] = {{"pid 1 fd 3"}, {}};
  p.uses["memfd"] = {{"pid 1 fd 4"}, {}};
  const auto r = check_update(shipped(), kOld, kNew, p);
  EXPECT_EQ(family(r, "iommufd").verdict, Verdict::not_preservable);
  EXPECT_EQ(family(r, "iommufd").reasons,
            (std::vector<Reason>{{.code = ReasonCode::not_preservable, .family = "iommufd"}}));
  EXPECT_EQ(r.verdict, Verdict::compatible);
}

TEST(Check, RunningKernelWithoutCoreVersionIsUndecided) {
  const auto r = check_update(shipped(), kernel({"memfd-v1"}), kNew, {});
  EXPECT_EQ(family(r, "luo").verdict, Verdict::undecided);
  EXPECT_EQ(r.verdict, Verdict::undecided);
}

TEST(Check, DefaultUsesEveryFileFamilyOfTheRunningKernel) {
  const auto r = check_update(shipped(), kNew, kBreak, {});
  EXPECT_EQ(family(r, "kvm-vm").verdict, Verdict::incompatible);
  EXPECT_EQ(family(r, "iommufd").verdict, Verdict::compatible);
}

TEST(Check, UnknownStringsAreReported) {
  const auto r = check_update(shipped(), kernel({"luo-v1", "widget-v3"}), kNew, {});
  ASSERT_EQ(r.unknown.size(), 1u);
  EXPECT_EQ(r.unknown[0].family, "widget");
  EXPECT_EQ(r.unknown[0].kernel, "running");
}

// Issue 23: a string no catalog family knows may be a handler the running
// kernel hands files over with, and a next kernel without it may lose every
// session; it was reported as unknown, and the update called compatible.
TEST(Check, AnUnknownStringTheNextKernelLacksLeavesTheUpdateUndecided) {
  const KernelStrings running = kernel({"luo-v1", "widget-v3"});
  const KernelStrings next = kernel({"luo-v1"});
  auto r = check_update(shipped(), running, next, {});
  EXPECT_EQ(r.verdict, Verdict::undecided);
  EXPECT_EQ(r.update, (std::vector<Reason>{{.code = ReasonCode::unknown_not_read,
                                            .family = "widget",
                                            .string = "widget-v3"}}));
  EXPECT_EQ(check_update(shipped(), running, running, {}).verdict, Verdict::compatible);
  // The families in use are known, and it is none of them...
  CheckPolicy p;
  p.uses_given = true;
  EXPECT_EQ(check_update(shipped(), running, next, p).verdict, Verdict::compatible);
  // ... unless a live session preserves a file of it.
  p.uses["widget"].used_by = {"session vm token 0x1"};
  EXPECT_EQ(check_update(shipped(), running, next, p).verdict, Verdict::undecided);
  // A loss outranks it.
  EXPECT_EQ(check_update(shipped(), running, kernel({"luo-v2"}), {}).verdict,
            Verdict::incompatible);
}

// Mainline kernels list their FLBs and every core ABI string.
const KernelStrings kMainA = kernel({"luo-v1", "luo-session-v1", "kho-v1", "memfd-v1"});
const KernelStrings kMainC =
    kernel({"luo-v2", "luo-session-v2", "kho-v1", "memfd-v2", "hugetlb-v2"});
const KernelStrings kVfio = kernel(
    {"luo-v1", "luo-session-v1", "kho-v1", "vfio-pci-v1", "iommufd-v1", "pci-v2", "iommu-v1"});
const KernelStrings kVfioNoPci =
    kernel({"luo-v1", "luo-session-v1", "kho-v1", "vfio-pci-v1", "iommufd-v1", "iommu-v1"});

TEST(Check, EveryCoreFamilyMustMatch) {
  const auto r = check_update(shipped(), kMainA, kMainC, {});
  EXPECT_EQ(r.verdict, Verdict::incompatible);
  EXPECT_EQ(family(r, "luo").verdict, Verdict::incompatible);
  EXPECT_EQ(family(r, "luo-session").reasons.front(),
            (Reason{.code = ReasonCode::not_read,
                    .family = "luo-session",
                    .string = "luo-session-v1",
                    .next = {"luo-session-v2"},
                    .loss = Loss::core_state,
                    .mismatch = "the next kernel would lose every preserved session"}));
  EXPECT_EQ(family(r, "kho").verdict, Verdict::compatible);
}

TEST(Check, CoreFamiliesNoTableListsAreNotChecked) {
  const auto r = check_update(shipped(), kOld, kNew, {});
  for (const auto& f : r.families) EXPECT_NE(f.family, "luo-session");
  EXPECT_EQ(r.verdict, Verdict::compatible);
}

TEST(Check, AFamilyIsLostWithTheFlbItNeeds) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["vfio-pci"] = {{"--uses"}, {}};
  auto r = check_update(shipped(), kVfio, kVfioNoPci, p);
  EXPECT_EQ(r.verdict, Verdict::incompatible);
  const auto& vfio = family(r, "vfio-pci");
  EXPECT_EQ(vfio.verdict, Verdict::incompatible);
  EXPECT_EQ(vfio.reasons.back(), (Reason{.code = ReasonCode::needs_lost_flb,
                                         .family = "vfio-pci",
                                         .flb = "pci",
                                         .loss = Loss::files}));
  EXPECT_EQ(family(r, "pci").used_by, std::vector<std::string>{"needed by vfio-pci"});
  EXPECT_EQ(family(r, "pci").verdict, Verdict::warning);  // alone, an acceleration
  EXPECT_EQ(check_update(shipped(), kVfio, kVfio, p).verdict, Verdict::compatible);
}

TEST(Check, CompositeNeedsEveryComponentInAnyOrderAfterTheFirst) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["memfd"] = {{"--uses"}, {}};
  const auto cur = kernel({"luo-v1", "memfd-v2;vmalloc-v1;seals-v1"});
  auto r = check_update(shipped(), cur, kernel({"luo-v1", "memfd-v2;seals-v1;vmalloc-v1"}), p);
  EXPECT_EQ(r.verdict, Verdict::compatible);
  EXPECT_EQ(family(r, "memfd").chosen, "memfd-v2;vmalloc-v1;seals-v1");
  EXPECT_TRUE(r.unknown.empty());

  r = check_update(shipped(), cur, kernel({"luo-v1", "memfd-v2;vmalloc-v2;seals-v1"}), p);
  EXPECT_EQ(r.verdict, Verdict::incompatible);
  const auto& memfd = family(r, "memfd");
  EXPECT_EQ(memfd.missing_components.at("memfd-v2;vmalloc-v1;seals-v1"),
            std::vector<std::string>{"vmalloc-v1"});
  EXPECT_EQ(memfd.reasons, (std::vector<Reason>{
                               {.code = ReasonCode::not_read,
                                .family = "memfd",
                                .string = "memfd-v2;vmalloc-v1;seals-v1",
                                .next = {"memfd-v2;vmalloc-v2;seals-v1"},
                                .loss = Loss::files},
                               {.code = ReasonCode::lacks_components,
                                .family = "memfd",
                                .string = "memfd-v2;vmalloc-v1;seals-v1",
                                .other = "memfd-v2;vmalloc-v2;seals-v1",
                                .components = {"vmalloc-v1"}},
                               {.code = ReasonCode::requires_components,
                                .family = "memfd",
                                .string = "memfd-v2;vmalloc-v1;seals-v1",
                                .other = "memfd-v2;vmalloc-v2;seals-v1",
                                .components = {"vmalloc-v2"}},
                           }));
}

TEST(Check, CompositeIsNotTheSumOfItsComponents) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["memfd"] = {{"--uses"}, {}};
  // The next kernel lists each component, but no handler reads them together.
  const auto r = check_update(shipped(), kernel({"luo-v1", "memfd-v2;vmalloc-v1"}),
                              kernel({"luo-v1", "memfd-v2", "vmalloc-v1"}), p);
  EXPECT_EQ(family(r, "memfd").verdict, Verdict::incompatible);
  EXPECT_EQ(family(r, "memfd").missing_components.at("memfd-v2;vmalloc-v1"),
            std::vector<std::string>{"vmalloc-v1"});
  // A plain string is not read by a handler that demands a component more.
  const auto back = check_update(shipped(), kernel({"luo-v1", "memfd-v2"}),
                                 kernel({"luo-v1", "memfd-v2;vmalloc-v1"}), p);
  EXPECT_EQ(family(back, "memfd").verdict, Verdict::incompatible);
  EXPECT_EQ(family(back, "memfd").reasons.back(), (Reason{.code = ReasonCode::requires_components,
                                                          .family = "memfd",
                                                          .string = "memfd-v2",
                                                          .other = "memfd-v2;vmalloc-v1",
                                                          .components = {"vmalloc-v1"}}));
}

TEST(Check, CompositeCoreMismatchNamesTheComponent) {
  const auto r =
      check_update(shipped(), kernel({"luo-v5;block-v1"}), kernel({"luo-v5;block-v2"}), {});
  EXPECT_EQ(r.verdict, Verdict::incompatible);
  EXPECT_EQ(family(r, "luo").missing_components.at("luo-v5;block-v1"),
            std::vector<std::string>{"block-v1"});
}

TEST(Check, IntegerVersionsNegotiateTheHighestShared) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["pci"] = {{"--uses"}, {}};
  const auto r = check_update(shipped(), kernel({"luo-v1", "pci@1", "pci@2", "pci@3"}),
                              kernel({"luo-v1", "pci@2", "pci@3", "pci@4"}), p);
  EXPECT_EQ(r.verdict, Verdict::compatible);
  const auto& pci = family(r, "pci");
  EXPECT_EQ(pci.verdict, Verdict::compatible);
  EXPECT_EQ(pci.negotiated_version, 3u);
  EXPECT_EQ(pci.chosen, "pci@3");
  EXPECT_EQ(pci.working, (std::vector<std::string>{"pci@2", "pci@3"}));
  EXPECT_EQ(pci.reasons.front(), (Reason{.code = ReasonCode::negotiated,
                                         .family = "pci",
                                         .string = "pci@3",
                                         .running = {"1", "2", "3"},
                                         .next = {"2", "3", "4"},
                                         .version = 3}));
}

TEST(Check, IntegerVersionsSortNumerically) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["pci"] = {{"--uses"}, {}};
  const auto r = check_update(shipped(), kernel({"luo-v1", "pci@9", "pci@10"}),
                              kernel({"luo-v1", "pci@9", "pci@10"}), p);
  EXPECT_EQ(family(r, "pci").negotiated_version, 10u);
  EXPECT_EQ(family(r, "pci").emits, (std::vector<std::string>{"pci@9", "pci@10"}));
}

TEST(Check, NoSharedIntegerVersionIsALoss) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["pci"] = {{"--uses"}, {}};
  const auto r =
      check_update(shipped(), kernel({"luo-v1", "pci@1", "pci@2"}), kernel({"luo-v1", "pci@3"}), p);
  const auto& pci = family(r, "pci");
  EXPECT_EQ(pci.verdict, Verdict::warning);  // pci is optional
  EXPECT_FALSE(pci.negotiated_version);
  EXPECT_EQ(pci.reasons.back(), (Reason{.code = ReasonCode::no_shared_integer_version,
                                        .family = "pci",
                                        .running = {"1", "2"},
                                        .next = {"3"}}));
}

TEST(Check, AnIntegerVersionIsNotTheStringOfTheSameNumber) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["pci"] = {{"--uses"}, {}};
  const auto r =
      check_update(shipped(), kernel({"luo-v1", "pci@2"}), kernel({"luo-v1", "pci-v2"}), p);
  EXPECT_EQ(family(r, "pci").verdict, Verdict::warning);
}

TEST(Check, APinnedCompositeIsTheRunningKernelsOwnSpelling) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["memfd"] = {{"--uses"}, {}};
  p.pins["memfd"] = "memfd-v2;seals-v1;vmalloc-v1";
  const auto r =
      check_update(shipped(), kernel({"luo-v1", "memfd-v1", "memfd-v2;vmalloc-v1;seals-v1"}),
                   kernel({"luo-v1", "memfd-v2;vmalloc-v1;seals-v1"}), p);
  EXPECT_EQ(family(r, "memfd").verdict, Verdict::compatible);
  EXPECT_EQ(family(r, "memfd").emits, std::vector<std::string>{"memfd-v2;vmalloc-v1;seals-v1"});
}

TEST(Check, APinNarrowsTheNegotiation) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["pci"] = {{"--uses"}, {}};
  p.pins["pci"] = "pci@1";
  const auto r = check_update(shipped(), kernel({"luo-v1", "pci@1", "pci@2"}),
                              kernel({"luo-v1", "pci@1", "pci@2"}), p);
  EXPECT_EQ(family(r, "pci").negotiated_version, 1u);
}

TEST(Catalog, NeedsNameFlbFamilies) {
  Catalog c = shipped();
  auto r =
      c.add("[[family]]\nname = \"x\"\ncompatible = [\"x-v{N}\"]\nneeds = [\"memfd\"]\n", "s.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().to_string(),
            "s.toml:4:9: family x needs \"memfd\", which is not an flb family");
}

}  // namespace
}  // namespace lucompat

namespace lucompat {
namespace {

// 7.x: one file compatible the next kernel lacks makes it refuse every
// session, so no file family is optional there (issue 22).
TEST(Check, OnARealLuoKernelALostFileFamilyLosesEverySession) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["memfd"] = {{"--uses"}, false};  // even when the operator calls it optional
  p.next.refuses_every_session = true;
  const auto r =
      check_update(shipped(), kernel({"luo-v5", "memfd-v2"}), kernel({"luo-v5", "memfd-v3"}), p);
  EXPECT_EQ(r.verdict, Verdict::incompatible);
  EXPECT_EQ(family(r, "memfd").reasons.front().loss, Loss::every_session);
  p.next.refuses_every_session = false;  // the mainline-shape corpus: only its files
  EXPECT_EQ(family(check_update(shipped(), kernel({"luo-v5", "memfd-v2"}),
                                kernel({"luo-v5", "memfd-v3"}), p),
                   "memfd")
                .reasons.front()
                .loss,
            Loss::optional_files);
}

TEST(Check, KernelsWithoutLuoDecideTheWholeUpdate) {
  CheckPolicy p;
  p.next.luo = LuoPresence::absent;
  auto r = check_update(shipped(), kernel({"luo-v5", "memfd-v2"}), kernel({}), p);
  EXPECT_EQ(r.verdict, Verdict::incompatible);
  EXPECT_TRUE(r.families.empty());  // no "luo: would panic": it reads nothing at all
  ASSERT_EQ(r.update.size(), 1u);
  EXPECT_EQ(r.update[0].code, ReasonCode::next_without_luo);
  EXPECT_TRUE(proven_incompatible(r));
  CheckPolicy q;
  q.running.luo = LuoPresence::absent;
  r = check_update(shipped(), kernel({}), kernel({"luo-v5", "memfd-v2"}), q);
  EXPECT_EQ(r.verdict, Verdict::compatible);
  EXPECT_EQ(r.update[0].code, ReasonCode::running_without_luo);
}

TEST(Check, LuoOffOnACommandLineHandsNothingOver) {
  CheckPolicy p;
  p.running.luo_enabled = false;
  p.running.cmdline = "has no liveupdate=on";
  auto r = check_update(shipped(), kernel({"luo-v5"}), kernel({"luo-v5"}), p);
  EXPECT_EQ(r.verdict, Verdict::incompatible);
  EXPECT_EQ(r.update[0].loss, Loss::no_handover);
  CheckPolicy q;
  q.next.luo_enabled = false;
  r = check_update(shipped(), kernel({"luo-v5"}), kernel({"luo-v5"}), q);
  EXPECT_EQ(r.update[0].loss, Loss::every_session);
  EXPECT_EQ(r.update[0].kernel, KernelRole::next);
}

// A core mismatch both kernels show is proof; one kernel's silence is not.
TEST(Check, OnlyAMismatchSeenInBothKernelsIsProven) {
  CheckPolicy p;
  p.uses_given = true;
  EXPECT_TRUE(
      proven_incompatible(check_update(shipped(), kernel({"luo-v5"}), kernel({"luo-v6"}), p)));
  EXPECT_FALSE(proven_incompatible(check_update(shipped(), kernel({"luo-v5"}), kernel({}), p)));
  p.uses["memfd"] = {{"--uses"}, {}};
  EXPECT_FALSE(proven_incompatible(
      check_update(shipped(), kernel({"luo-v5", "memfd-v2"}), kernel({"luo-v5", "memfd-v3"}), p)));
}

// liveupdate-test-flb-v0..2 are three FLBs handed over together: each must
// be read, and a missing one is named.
TEST(Check, AnIndexedFamilyNeedsEveryString) {
  CheckPolicy p;
  p.uses_given = true;
  p.uses["liveupdate-test-flb"] = {{"--uses"}, {}};
  const KernelStrings three = kernel(
      {"luo-v5", "liveupdate-test-flb-v0", "liveupdate-test-flb-v1", "liveupdate-test-flb-v2"});
  auto r = check_update(shipped(), three, three, p);
  EXPECT_EQ(family(r, "liveupdate-test-flb").verdict, Verdict::compatible);
  EXPECT_EQ(family(r, "liveupdate-test-flb").reasons.front().code, ReasonCode::carried_all);
  r = check_update(shipped(), three,
                   kernel({"luo-v5", "liveupdate-test-flb-v0", "liveupdate-test-flb-v1"}), p);
  const FamilyCheck& f = family(r, "liveupdate-test-flb");
  EXPECT_EQ(f.verdict, Verdict::warning);  // optional in the catalog: test state
  ASSERT_EQ(f.reasons.size(), 1u);
  EXPECT_EQ(f.reasons[0].string, "liveupdate-test-flb-v2");
}

}  // namespace
}  // namespace lucompat
