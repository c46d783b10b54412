#include "lucompat/report/reasons.h"

#include <gtest/gtest.h>

#include "policy/test_kernels.h"

namespace lucompat {
namespace {

using nlohmann::json;

CheckPolicy using_(std::initializer_list<const char*> families) {
  CheckPolicy p;
  p.uses_given = true;
  for (const char* f : families) p.uses[f] = {{"--uses"}, {}};
  return p;
}

// Every sentence of the family's reasons, as the text report prints them.
std::vector<std::string> words(const CheckReport& r, const std::string& family) {
  for (const auto& f : r.families)
    if (f.family == family) return describe(f.reasons);
  ADD_FAILURE() << "no family " << family;
  return {};
}

// The sentences operators and scripts have read since the first release:
// moving the words out of the policy must not change one.
TEST(Reasons, CheckSentencesAreWordedAsBefore) {
  const Catalog c = shipped();
  EXPECT_EQ(words(check_update(c, kNew, kBreak, using_({})), "luo"),
            std::vector<std::string>{
                "the running kernel writes luo-v1 but the next kernel reads "
                "only luo-v2; the next kernel would panic on boot (LUO state is incompatible)"});
  EXPECT_EQ(words(check_update(c, kNew, kOld, using_({"vfio-pci"})), "vfio-pci"),
            std::vector<std::string>{"the running kernel writes vfio-pci-v1 but the next kernel "
                                     "reads no vfio-pci version; the preserved files would be "
                                     "lost"});
  EXPECT_EQ(words(check_update(c, kOld, kNew, {}), "memfd"),
            std::vector<std::string>{"the running kernel writes memfd-v1 and the next kernel "
                                     "reads it"});
  EXPECT_EQ(words(check_update(c, kNew, kNew, using_({"memfd"})), "memfd"),
            std::vector<std::string>{"the running kernel may write any of memfd-v1, memfd-v2, "
                                     "and the next kernel reads all of them"});
  EXPECT_EQ(words(check_update(c, kNew, kOld, using_({"memfd"})), "memfd"),
            std::vector<std::string>{
                "the running kernel may write any of memfd-v1, memfd-v2, but the next kernel does "
                "not read memfd-v2; which one it writes depends on its configuration: pin it with "
                "--emit memfd=memfd-v1"});
  EXPECT_EQ(words(check_update(c, kOld, kNew, using_({"iommufd", "memfd"})), "iommufd"),
            std::vector<std::string>{
                "the running kernel cannot preserve iommufd (its table has no iommufd string), so "
                "nothing of it is handed over at kexec and this update cannot lose it"});
  EXPECT_EQ(words(check_update(c, kernel({"memfd-v1"}), kNew, {}), "luo"),
            std::vector<std::string>{
                "the running kernel's table lists no core version: its ABI cannot be compared"});
}

TEST(Reasons, LossesSayWhatTheyCost) {
  const Catalog c = shipped();
  CheckPolicy p = using_({"pci"});
  const auto cur = kernel({"luo-v1", "pci-v1"});
  const auto nxt = kernel({"luo-v1", "pci-v2"});
  const std::string optional =
      "the running kernel writes pci-v1 but the next kernel reads only pci-v2; an optional "
      "family: its files will not be restored and the blackout will be longer";
  EXPECT_EQ(words(check_update(c, cur, nxt, p), "pci"), std::vector<std::string>{optional});
  p.strict = true;
  EXPECT_EQ(words(check_update(c, cur, nxt, p), "pci"),
            std::vector<std::string>{optional + " (--strict makes this fatal)"});
  EXPECT_EQ(words(check_update(c, kernel({"luo-v1", "luo-session-v1", "kho-v1"}),
                               kernel({"luo-v1", "luo-session-v2", "kho-v1"}), {}),
                  "luo-session"),
            std::vector<std::string>{"the running kernel writes luo-session-v1 but the next "
                                     "kernel reads only luo-session-v2; the next kernel would "
                                     "lose every preserved session"});
}

TEST(Reasons, PinsAndDemands) {
  const Catalog c = shipped();
  CheckPolicy p;
  p.pins["memfd"] = "memfd-v9";
  EXPECT_EQ(words(check_update(c, kOld, kNew, p), "memfd"),
            std::vector<std::string>{"--emit pins memfd to memfd-v9, but the running kernel's "
                                     "table lists memfd-v1: the pin cannot be right"});
  p.demanded.insert("memfd");
  p.pin_sources["memfd"] = "profile 2026.06";
  EXPECT_EQ(words(check_update(c, kOld, kNew, p), "memfd"),
            std::vector<std::string>{"profile 2026.06 needs memfd-v9 but the running kernel "
                                     "cannot emit it (its table lists memfd-v1); the preserved "
                                     "files would be lost"});
  p.conflicts["memfd"] = {"/etc/lucompat/host.toml", "memfd-v1"};
  EXPECT_EQ(words(check_update(c, kOld, kNew, p), "memfd"),
            std::vector<std::string>{"profile 2026.06 needs memfd-v9, but /etc/lucompat/host.toml "
                                     "says the running kernel emits memfd-v1; the preserved "
                                     "files would be lost"});
}

TEST(Reasons, ComponentsAndIntegerVersions) {
  const Catalog c = shipped();
  EXPECT_EQ(
      words(check_update(c, kernel({"luo-v1", "memfd-v2;vmalloc-v1;seals-v1"}),
                         kernel({"luo-v1", "memfd-v2;vmalloc-v2;seals-v1"}), using_({"memfd"})),
            "memfd"),
      (std::vector<std::string>{
          "the running kernel writes memfd-v2;vmalloc-v1;seals-v1 but the next kernel reads "
          "only memfd-v2;vmalloc-v2;seals-v1; the preserved files would be lost",
          "memfd-v2;vmalloc-v1;seals-v1: the next kernel's closest string, "
          "memfd-v2;vmalloc-v2;seals-v1, lacks the component vmalloc-v1",
          "memfd-v2;vmalloc-v1;seals-v1: the next kernel's closest string, "
          "memfd-v2;vmalloc-v2;seals-v1, also requires vmalloc-v2"}));
  EXPECT_EQ(words(check_update(c, kernel({"luo-v1", "pci@1", "pci@2", "pci@3"}),
                               kernel({"luo-v1", "pci@2", "pci@3", "pci@4"}), using_({"pci"})),
                  "pci"),
            std::vector<std::string>{
                "pci is negotiated by integer version: the running kernel supports 1, 2, 3, the "
                "next kernel 2, 3, 4; both use the highest they share, 3 (pci@3)"});
  EXPECT_EQ(
      words(check_update(c, kernel({"luo-v1", "pci@1", "pci@2"}), kernel({"luo-v1", "pci@3"}),
                         using_({"pci"})),
            "pci")
          .back(),
      "no integer version of pci is shared: the running kernel supports 1, 2, the next kernel 3");
  EXPECT_EQ(words(check_update(c, kernel({"luo-v1", "memfd-v1", "memfd-v2"}),
                               kernel({"luo-v1", "memfd-v3"}), using_({"memfd"})),
                  "memfd"),
            std::vector<std::string>{"the running kernel writes one of memfd-v1, memfd-v2 and the "
                                     "next kernel reads none of them (it reads memfd-v3); the "
                                     "preserved files would be lost"});
}

TEST(Reasons, FamiliesLostWithTheirFlb) {
  const Catalog c = shipped();
  const auto vfio = kernel(
      {"luo-v1", "luo-session-v1", "kho-v1", "vfio-pci-v1", "iommufd-v1", "pci-v2", "iommu-v1"});
  const auto no_pci =
      kernel({"luo-v1", "luo-session-v1", "kho-v1", "vfio-pci-v1", "iommufd-v1", "iommu-v1"});
  EXPECT_EQ(words(check_update(c, vfio, no_pci, using_({"vfio-pci"})), "vfio-pci").back(),
            "vfio-pci needs pci: the next kernel has no pci FLB; the preserved files would be "
            "lost");
  EXPECT_EQ(describe(Reason{.code = ReasonCode::needs_lost_flb,
                            .family = "vfio-pci",
                            .flb = "pci",
                            .next = {"pci-v3"},
                            .loss = Loss::files}),
            "vfio-pci needs pci: the next kernel's pci FLB reads only pci-v3; the preserved files "
            "would be lost");
  EXPECT_EQ(
      describe(Reason{.code = ReasonCode::needs_undecided_flb, .family = "vfio-pci", .flb = "pci"}),
      "vfio-pci needs pci, whose verdict is undecided");
}

TEST(Reasons, ProfileAndFleetSentences) {
  EXPECT_EQ(describe(Reason{.code = ReasonCode::profile_retired}), "retired: never selected");
  EXPECT_EQ(describe(Reason{.code = ReasonCode::profile_not_emittable, .string = "memfd-v2"}),
            "memfd-v2: the running kernel cannot emit it (not in its table)");
  EXPECT_EQ(
      describe(Reason{
          .code = ReasonCode::profile_pinned_elsewhere, .string = "memfd-v2", .other = "memfd-v1"}),
      "memfd-v2: the running kernel is pinned to emit memfd-v1");
  EXPECT_EQ(describe_warning(Reason{.code = ReasonCode::profile_not_understood, .string = "pci@2"}),
            "optional pci@2: the next kernel does not understand it");
  EXPECT_EQ(
      describe(Reason{.code = ReasonCode::kernel_without_table, .kernel = KernelRole::running}),
      "the running kernel has no live-update version table");
  EXPECT_EQ(describe(Reason{.code = ReasonCode::kernel_undecided,
                            .kernel = KernelRole::next,
                            .detail = "its strings rest on a byte scan alone"}),
            "the next kernel's strings cannot support a verdict: its strings rest on a byte "
            "scan alone");
  EXPECT_EQ(describe(Reason{.code = ReasonCode::kernel_architectures_differ,
                            .running = {"x86_64"},
                            .next = {"arm64be"}}),
            "the staged kernel is for arm64be, the running one for x86_64: a kexec cannot cross "
            "architectures");
}

TEST(Reasons, JsonHasTheCodeAndOnlyTheValuesSet) {
  EXPECT_EQ(reason_json(Reason{.code = ReasonCode::not_read,
                               .family = "luo",
                               .string = "luo-v1",
                               .next = {"luo-v2"},
                               .loss = Loss::core_state,
                               .mismatch = "the next kernel would panic on boot"}),
            json::parse(R"({"code": "not_read", "family": "luo", "string": "luo-v1",
                            "next": ["luo-v2"], "loss": "core_state",
                            "mismatch": "the next kernel would panic on boot"})"));
  EXPECT_EQ(reason_json(Reason{.code = ReasonCode::negotiated, .version = 0}),
            json::parse(R"({"code": "negotiated", "version": 0})"));
  EXPECT_EQ(
      reason_json(Reason{.code = ReasonCode::kernel_without_table, .kernel = KernelRole::next}),
      json::parse(R"({"code": "kernel_without_table", "kernel": "next"})"));
}

TEST(Reasons, AnUnknownStringTheNextKernelLacksIsTheSummaryOfItsUndecidedUpdate) {
  const auto r = check_update(shipped(), kernel({"luo-v1", "widget-v3"}), kernel({"luo-v1"}), {});
  EXPECT_EQ(check_summary(r),
            "UNDECIDED: the running kernel has widget-v3, which no catalog family knows, and the "
            "next kernel does not: whether it hands files over with it, and what losing them "
            "costs, cannot be told (a catalog family for widget decides: "
            "/etc/lucompat/catalog.d, --catalog)");
}

TEST(Reasons, EveryCodeHasItsOwnSentenceAndName) {
  std::set<std::string> names, sentences;
  for (int i = 0; i <= static_cast<int>(ReasonCode::unknown_not_read); ++i) {
    const auto code = static_cast<ReasonCode>(i);
    EXPECT_TRUE(names.insert(std::string(name(code))).second) << name(code);
    EXPECT_NE(name(code), "unknown");
    const std::string text = describe(Reason{.code = code, .family = "f", .string = "s"});
    EXPECT_TRUE(sentences.insert(text).second) << text;
    EXPECT_NE(text, name(code)) << "no words for " << name(code);
  }
}

// The worst consequence comes first: a panic, then every session lost, then
// lost files, then a kernel or command line that hands nothing over.
TEST(Reasons, SummariesSayTheWorstFirst) {
  const Catalog c = shipped();
  CheckPolicy p = using_({"memfd"});
  p.next.refuses_every_session = true;
  EXPECT_EQ(check_summary(
                check_update(c, kernel({"luo-v1", "memfd-v1"}), kernel({"luo-v1", "memfd-v2"}), p)),
            "INCOMPATIBLE: memfd: the running kernel writes memfd-v1 but the next kernel reads "
            "only memfd-v2; every preserved session would be lost; 1 of 2 families in use cannot "
            "be restored by the next kernel");
  EXPECT_EQ(check_summary(
                check_update(c, kernel({"luo-v1", "memfd-v1"}), kernel({"luo-v2", "memfd-v2"}), p))
                .find("INCOMPATIBLE: luo: the next kernel would panic on boot"),
            0u);
  p.next.luo_enabled = false;
  p.next.cmdline = "has no liveupdate=on";
  EXPECT_EQ(check_summary(
                check_update(c, kernel({"luo-v1", "memfd-v1"}), kernel({"luo-v1", "memfd-v1"}), p)),
            "INCOMPATIBLE: the next kernel's command line has no liveupdate=on: LUO is off there, "
            "so nothing is restored; every preserved session would be lost");
  CheckPolicy none;
  none.running.luo = LuoPresence::absent;
  const CheckReport r = check_update(c, kernel({}), kernel({"luo-v1"}), none);
  EXPECT_EQ(r.verdict, Verdict::compatible);
  EXPECT_NE(check_summary(r).find("compatible: the running kernel has no Live Update Orchestrator"),
            std::string::npos);
}

TEST(Reasons, SummariesCountInTheRightNumber) {
  const Catalog c = shipped();
  const CheckPolicy core_alone = using_({});
  EXPECT_EQ(check_summary(check_update(c, kOld, kNew, core_alone)),
            "compatible: the next kernel restores the one family in use");
  EXPECT_EQ(check_summary(check_update(c, kOld, kNew, {})),
            "compatible: the next kernel restores all 2 families in use");
  EXPECT_EQ(check_summary(check_update(c, kNew, kBreak, core_alone)),
            "INCOMPATIBLE: luo: the next kernel would panic on boot (LUO state is incompatible); 1 "
            "of 1 family in use cannot be restored by the next kernel");
  EXPECT_EQ(check_summary(check_update(c, kNew, kOld, using_({"memfd"}))),
            "UNDECIDED: 1 of 2 families in use needs more information (see the reasons)");
  EXPECT_EQ(check_summary(check_update(c, kernel({"luo-v1", "pci-v1"}),
                                       kernel({"luo-v1", "pci-v2"}), using_({"pci"}))),
            "compatible with warnings: 1 optional family will not be restored");
}

TEST(Reasons, SelectionSummaries) {
  ProfileSet set;
  ASSERT_TRUE(
      set.add("[[profile]]\nname = \"old\"\nstatus = \"deprecated\"\nrequires = [\"luo-v1\"]\n"
              "[[profile]]\nname = \"new\"\nrequires = [\"luo-v1\", \"memfd-v2\"]\n",
              "p.toml", shipped())
          .ok());
  EXPECT_EQ(selection_summary(select_profile(set, shipped(), kOld, kNew, {})),
            "selected old (deprecated: no active profile can carry this update)");
  EXPECT_EQ(selection_summary(select_profile(set, shipped(), kNew, kNew, {})), "selected new");
  EXPECT_EQ(selection_summary(select_profile(set, shipped(), kNew, kBreak, {})),
            "no profile can carry this update");
}

}  // namespace
}  // namespace lucompat
