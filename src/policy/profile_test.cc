#include "lucompat/policy/profile.h"

#include <gtest/gtest.h>

#include "policy/test_kernels.h"

namespace lucompat {
namespace {

constexpr std::string_view kProfiles = R"([[profile]]
name = "2025.12"
status = "deprecated"
requires = ["luo-v1", "memfd-v1"]

[[profile]]
name = "2026.03"
requires = ["luo-v1", "memfd-v1"]

[[profile]]
name = "2026.06"
description = "iommufd + vfio-pci preservation"
requires = ["luo-v1", "memfd-v2", "iommufd-v1", "vfio-pci-v1"]
optional = ["pci-v1"]
vmm_features = ["iommufd-dirty-tracking", "vfio-cdev"]

[[profile]]
name = "2024.01"
status = "retired"
requires = ["luo-v1"]
)";

ProfileSet load(std::string_view text = kProfiles) {
  ProfileSet set;
  auto r = set.add(text, "profiles.toml", shipped());
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return set;
}

TEST(Profiles, ParsesInOrder) {
  const ProfileSet set = load();
  ASSERT_EQ(set.profiles().size(), 4u);
  EXPECT_EQ(set.profiles()[2].name, "2026.06");
  EXPECT_EQ(set.profiles()[2].vmm_features.size(), 2u);
  EXPECT_EQ(set.profiles()[3].status, ProfileStatus::retired);
  EXPECT_TRUE(set.warnings().empty());
}

std::string error_of(std::string_view text) {
  ProfileSet set;
  auto r = set.add(text, "p.toml", shipped());
  return r ? "ok" : r.error().to_string();
}

TEST(Profiles, ValidationErrorsHavePositions) {
  EXPECT_EQ(error_of("[[profile]]\nname = \"a\"\n[[profile]]\nname = \"a\"\n"),
            "p.toml:4:8: profile \"a\" is already defined at p.toml:1");
  EXPECT_EQ(error_of("[[profile]]\nname = \"a\"\nrequires = [\"memfd-v1\", \"memfd-v2\"]\n"),
            "p.toml:3:25: profile a names two versions of memfd: memfd-v1 and memfd-v2; a kernel "
            "emits only one");
  EXPECT_EQ(
      error_of("[[profile]]\nname = \"a\"\nrequires = [\"pci-v1\"]\noptional = [\"pci-v2\"]\n"),
      "p.toml:4:13: profile a names two versions of pci: pci-v1 and pci-v2; a kernel emits "
      "only one");
  EXPECT_EQ(error_of("[[profile]]\nname = \"a\"\nstatus = \"beta\"\n"),
            "p.toml:3:10: status \"beta\" is not active, deprecated or retired");
  EXPECT_EQ(error_of("[[profile]]\nname = \"a\"\nrequire = []\n"),
            "p.toml:3:11: unknown key \"require\" (known: name, status, description, requires, "
            "optional, vmm_features)");
}

// A newline in a vmm_features entry added a line (LD_PRELOAD=...) to
// `profile env --format systemd`, and list/show printed ESC raw: every
// string a profile holds is refused with a control character in it.
TEST(Profiles, ControlCharactersAreRefusedWhereTheyAre) {
  EXPECT_EQ(error_of("[[profile]]\nname = \"a\"\nvmm_features = [\"vfio\", "
                     "\"x\\nLD_PRELOAD=/tmp/evil.so\"]\n"),
            "p.toml:3:25: vmm_features \"x\\nLD_PRELOAD=/tmp/evil.so\" holds a control "
            "character: a profile's strings are printed, in shell and systemd syntax too");
  EXPECT_EQ(error_of("[[profile]]\nname = \"a\\u001b[31m\"\n"),
            "p.toml:2:8: name \"a\\x1b[31m\" holds a control character: a profile's strings are "
            "printed, in shell and systemd syntax too");
  EXPECT_EQ(error_of("[[profile]]\nname = \"a\"\ndescription = \"bell\\u0007\"\n"),
            "p.toml:3:15: description \"bell\\x07\" holds a control character: a profile's "
            "strings are printed, in shell and systemd syntax too");
  EXPECT_EQ(error_of("[[profile]]\nname = \"a\"\nrequires = [\"luo-v1\\u009b\"]\n"),
            "p.toml:3:13: requires \"luo-v1\\xc2\\x9b\" holds a control character: a profile's "
            "strings are printed, in shell and systemd syntax too");
  EXPECT_EQ(error_of("[[profile]]\nname = \"a\"\ndescription = \"tab\\there\"\n"),
            "p.toml:3:15: description \"tab\\there\" holds a control character: a profile's "
            "strings are printed, in shell and systemd syntax too");
  EXPECT_EQ(error_of("[[profile]]\nname = \"é ▸\"\ndescription = \"C:\\\\x\"\n"), "ok");
}

TEST(Profiles, UnknownStringsAreWarnings) {
  ProfileSet set;
  ASSERT_TRUE(set.add("[[profile]]\nname = \"a\"\nrequires = [\"luo-v1\", \"widget-v1\"]\n",
                      "p.toml", shipped())
                  .ok());
  ASSERT_EQ(set.warnings().size(), 1u);
  EXPECT_EQ(set.warnings()[0].where, "p.toml:3:23");
}

TEST(Profiles, SelectsTheNewestViableActiveProfile) {
  const ProfileSet set = load();
  const Catalog c = shipped();
  auto s = select_profile(set, c, kNew, kNew, {});
  ASSERT_NE(s.selected, nullptr);
  EXPECT_EQ(s.selected->name, "2026.06");
  EXPECT_EQ(s.verdicts[2].warnings.size(), 2u);  // pci-v1 in neither kernel
  s = select_profile(set, c, kOld, kNew, {});
  EXPECT_EQ(s.selected->name, "2026.03");  // the deprecated 2025.12 is viable too, but older
  EXPECT_FALSE(s.verdicts[2].viable);
  EXPECT_EQ(
      s.verdicts[2].reasons[0],
      (Reason{.code = ReasonCode::profile_not_emittable, .family = "memfd", .string = "memfd-v2"}));
}

TEST(Profiles, DeprecatedOnlyWhenNoActiveIsViable) {
  ProfileSet set;
  ASSERT_TRUE(
      set.add("[[profile]]\nname = \"old\"\nstatus = \"deprecated\"\nrequires = [\"luo-v1\"]\n"
              "[[profile]]\nname = \"new\"\nrequires = [\"luo-v1\", \"memfd-v2\"]\n",
              "p.toml", shipped())
          .ok());
  auto s = select_profile(set, shipped(), kOld, kNew, {});
  ASSERT_NE(s.selected, nullptr);
  EXPECT_EQ(s.selected->name, "old");
}

TEST(Profiles, RetiredIsNeverSelectedAndNothingViableIsReported) {
  const ProfileSet set = load();
  auto s = select_profile(set, shipped(), kNew, kBreak, {});
  EXPECT_EQ(s.selected, nullptr);
  EXPECT_FALSE(s.verdicts[3].viable);
  EXPECT_EQ(s.verdicts[3].reasons[0], Reason{.code = ReasonCode::profile_retired});
}

TEST(Profiles, HostPinsExcludeStrings) {
  const ProfileSet set = load();
  auto s = select_profile(set, shipped(), kNew, kNew, {{"memfd", "memfd-v1"}});
  EXPECT_EQ(s.selected->name, "2026.03");
  EXPECT_EQ(s.verdicts[2].reasons[0], (Reason{.code = ReasonCode::profile_pinned_elsewhere,
                                              .family = "memfd",
                                              .string = "memfd-v2",
                                              .other = "memfd-v1"}));
}

TEST(Profiles, ApplyPinsAndDecidesRequiredness) {
  const ProfileSet set = load();
  const Catalog c = shipped();
  CheckPolicy p;
  apply_profile(*set.find("2026.06"), c, p);
  EXPECT_EQ(p.pins["memfd"], "memfd-v2");
  EXPECT_EQ(p.uses["pci"].required, false);
  EXPECT_EQ(p.uses["vfio-pci"].required, true);
  EXPECT_TRUE(p.uses_given);
  auto r = check_update(c, kNew, kNew, p);
  EXPECT_EQ(r.verdict, Verdict::warning);  // pci-v1 is optional, and no kernel has it
  // The profile demands memfd-v2; a running kernel without it loses memfd.
  r = check_update(c, kOld, kNew, p);
  EXPECT_EQ(r.verdict, Verdict::incompatible);
}

TEST(Profiles, KernelGate) {
  const ProfileSet set = load();
  EXPECT_TRUE(missing_for_kernel(*set.find("2026.06"), kNew).empty());
  EXPECT_EQ(missing_for_kernel(*set.find("2026.06"), kBreak),
            (std::vector<std::string>{"luo-v1", "vfio-pci-v1"}));
}

TEST(Profiles, ACompositeIsListedWhateverTheOrderOfItsSubComponents) {
  const ProfileSet set = load(R"([[profile]]
name = "2027.01"
requires = ["luo-v1", "memfd-v2;vmalloc-v1;seals-v1"]
optional = ["pci@2"]
)");
  const auto cur = kernel({"luo-v1", "memfd-v2;seals-v1;vmalloc-v1", "pci@1", "pci@2"});
  const auto nxt = kernel({"luo-v1", "memfd-v2;vmalloc-v1;seals-v1", "pci@2"});
  const ProfileVerdict v = judge_profile(set.profiles()[0], shipped(), cur, nxt, {});
  EXPECT_TRUE(v.viable);
  EXPECT_TRUE(v.warnings.empty());
  const ProfileVerdict lost =
      judge_profile(set.profiles()[0], shipped(), cur,
                    kernel({"luo-v1", "memfd-v2;vmalloc-v2;seals-v1", "pci@3"}), {});
  EXPECT_EQ(lost.reasons, (std::vector<Reason>{{.code = ReasonCode::profile_not_understood,
                                                .family = "memfd",
                                                .string = "memfd-v2;vmalloc-v1;seals-v1"}}));
  EXPECT_EQ(lost.warnings,
            (std::vector<Reason>{
                {.code = ReasonCode::profile_not_understood, .family = "pci", .string = "pci@2"}}));

  CheckPolicy p;
  apply_profile(set.profiles()[0], shipped(), p);
  const CheckReport r = check_update(shipped(), cur, nxt, p);
  EXPECT_EQ(r.verdict, Verdict::compatible);
}

}  // namespace
}  // namespace lucompat
