#include "lucompat/catalog/catalog.h"

#include <gtest/gtest.h>

#include <set>

namespace lucompat {
namespace {

Catalog shipped() {
  Catalog c;
  auto r = c.add(builtin_catalog(), "catalog.toml");
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return c;
}

TEST(Catalog, ShippedCatalogParses) {
  const Catalog c = shipped();
  ASSERT_NE(c.find("luo"), nullptr);
  EXPECT_EQ(c.find("luo")->cls, FamilyClass::core);
  EXPECT_TRUE(c.find("memfd")->required);
  EXPECT_FALSE(c.find("pci")->required);  // an acceleration
  // Accelerations, reserve_mem= state and the test FLBs cost no session.
  const std::set<std::string> optional{"pci", "memblock", "reserve-mem", "liveupdate-test-flb"};
  for (const auto& f : c.families()) EXPECT_EQ(f.required, optional.count(f.name) == 0) << f.name;
  EXPECT_EQ(c.find("memblock")->cls, FamilyClass::subtree);
  EXPECT_TRUE(c.find("luo-session")->shape_only);
}

// liveupdate-test-flb-v0..2 are three FLBs of one array: the digit is an
// index, not a version (issue 22).
TEST(Catalog, AnIndexIsNotAVersion) {
  const Catalog c = shipped();
  EXPECT_TRUE(c.find("liveupdate-test-flb")->indexed);
  EXPECT_FALSE(c.find("memfd")->indexed);
  const auto p = c.parse("liveupdate-test-flb-v2");
  EXPECT_TRUE(p.known);
  EXPECT_EQ(p.family, "liveupdate-test-flb");
  // Subtree families' strings are searched like core strings, and said apart.
  bool memblock = false;
  for (const CompatibleForm& f : c.core_forms())
    if (f.prefix == "memblock-v") memblock = f.kind == EntryKind::subtree;
  EXPECT_TRUE(memblock);
}

TEST(Catalog, ParsesStringsOfEveryNamingStyle) {
  const Catalog c = shipped();
  const auto p = c.parse("memfd-v2");
  EXPECT_TRUE(p.known);
  EXPECT_EQ(p.family, "memfd");
  EXPECT_EQ(p.version, 2u);
  EXPECT_EQ(c.parse("kvm_vm_luo_v1").family, "kvm-vm");
  EXPECT_EQ(c.parse("guest_memfd_luo_v3").version, 3u);
  EXPECT_EQ(c.parse("huge-memfd-v1").family, "huge-memfd");  // not memfd
  EXPECT_EQ(c.parse("iommu-core-v1").family, "iommu");
  EXPECT_EQ(c.parse("luo-v2").family, "luo");
}

TEST(Catalog, CompositeBelongsToItsFirstComponentsFamily) {
  const Catalog c = shipped();
  const auto p = c.parse("memfd-v2;vmalloc-v1");
  EXPECT_TRUE(p.known);
  EXPECT_EQ(p.family, "memfd");
  EXPECT_EQ(p.version, 2u);
  EXPECT_FALSE(p.integer);
  ASSERT_EQ(p.components.size(), 2u);
  EXPECT_EQ(p.components[0].text, "memfd-v2");
  EXPECT_EQ(p.components[1].text, "vmalloc-v1");
  EXPECT_EQ(p.components[1].family, "vmalloc");
  EXPECT_EQ(p.components[1].version, 1u);
  EXPECT_FALSE(p.components[1].known);
  EXPECT_EQ(c.parse("luo-v5;block-v1").family, "luo");
  EXPECT_FALSE(c.parse("block-v1;luo-v5").known);
}

TEST(Catalog, IntegerVersionEntries) {
  const Catalog c = shipped();
  const auto p = c.parse("pci@2");
  EXPECT_TRUE(p.known);
  EXPECT_TRUE(p.integer);
  EXPECT_EQ(p.family, "pci");
  EXPECT_EQ(p.version, 2u);
  const auto u = c.parse("block@3");
  EXPECT_FALSE(u.known);
  EXPECT_TRUE(u.integer);
  EXPECT_EQ(u.family, "block");
  EXPECT_EQ(u.version, 3u);
  // Issue 23: iommu has no iommu@{N} form, yet iommu@2 is iommu's (the
  // forward.ko example emits it), never "unknown, not checked".
  const auto i = c.parse("iommu@2");
  EXPECT_TRUE(i.known);
  EXPECT_EQ(i.family, "iommu");
  EXPECT_EQ(i.version, 2u);
}

TEST(Catalog, UnknownStringsAreParsedGenerically) {
  const Catalog c = shipped();
  auto p = c.parse("frobnicator-v7");
  EXPECT_FALSE(p.known);
  EXPECT_EQ(p.family, "frobnicator");
  EXPECT_EQ(p.version, 7u);
  p = c.parse("weird_thing_v2");
  EXPECT_EQ(p.family, "weird_thing");
  p = c.parse("no-version");
  EXPECT_EQ(p.family, "no-version");
  EXPECT_FALSE(p.version.has_value());
  EXPECT_FALSE(c.parse("memfd-v99999999999999999999").version.has_value());
}

TEST(Catalog, FdLinks) {
  const Catalog c = shipped();
  const auto fam = [&](const char* link) {
    const Family* f = c.family_of_fd(link);
    return f ? f->name : std::string("-");
  };
  EXPECT_EQ(fam("/memfd:guest-ram (deleted)"), "memfd");
  EXPECT_EQ(fam("/dev/vfio/devices/vfio0"), "vfio-pci");
  EXPECT_EQ(fam("/dev/vfio/12"), "vfio-pci");
  EXPECT_EQ(fam("/dev/vfio/vfio"), "-");
  EXPECT_EQ(fam("/dev/iommu"), "iommufd");
  EXPECT_EQ(fam("anon_inode:kvm-vm"), "kvm-vm");
  EXPECT_EQ(fam("anon_inode:[kvm-gmem]"), "guest-memfd");
  EXPECT_EQ(fam("anon_inode:[eventfd]"), "eventfd");
  EXPECT_EQ(fam("anon_inode:[eventpoll]"), "-");
  EXPECT_EQ(fam("/dev/liveupdate"), "luo");
  EXPECT_EQ(fam("socket:[1234]"), "-");
}

std::string error_of(std::string_view toml) {
  Catalog c;
  auto r = c.add(toml, "site.toml");
  return r ? "ok" : r.error().to_string();
}

TEST(Catalog, ErrorsNameFileLineAndColumn) {
  EXPECT_EQ(error_of("[[family]]\nname = \"x\"\ncompatible = [\"x-v{N}\"\n"),
            "site.toml:3:24: Error while parsing array: encountered end-of-file");
  EXPECT_EQ(error_of("[[family]]\nname = \"x\"\nclass = \"magic\"\ncompatible = [\"x-v{N}\"]\n"),
            "site.toml:3:9: class \"magic\" is not core, subtree, file or flb");
  EXPECT_EQ(error_of("[[family]]\nname = \"x\"\ncompatible = [\"x-v1\"]\n"),
            "site.toml:3:14: pattern \"x-v1\" must hold exactly once {N}, the version, or {I}, "
            "an index");
  EXPECT_EQ(error_of("[[family]]\nname = \"x\"\ncompatible = [\"x-v{N}\"]\nrequird = false\n"),
            "site.toml:4:11: unknown key \"requird\" (known: name, class, description, compatible, "
            "fd, required, needs, always, mismatch, shape_only)");
  EXPECT_EQ(error_of("[[family]]\ncompatible = [\"x-v{N}\"]\n"),
            "site.toml:1:1: a family needs a name (a non-empty string)");
  EXPECT_EQ(error_of("families = 1\n"),
            "site.toml:1:12: unknown key \"families\": a catalog holds [[family]] tables and "
            "[registration_lists]");
  EXPECT_EQ(error_of("[registration_lists]\nfiles = [\"x\"]\n"),
            "site.toml:2:9: unknown key \"files\" in registration_lists (known: file, flb, "
            "sessions)");
  EXPECT_EQ(error_of("[registration_lists]\nflb = [\"a..b\"]\n"),
            "site.toml:2:7: registration_lists.flb: \"a..b\" is not SYMBOL or "
            "SYMBOL.MEMBER[.MEMBER...] (C identifiers)");
  EXPECT_EQ(error_of("[[family]]\nname = \"x\"\ncompatible = [\"x-v{N}\", \"y{I}\"]\n"),
            "site.toml:3:14: family x: its patterns mix {N} and {I}");
  EXPECT_EQ(error_of("registration_lists = 3\n"),
            "site.toml:1:22: registration_lists must be a table");
}

// The list heads are data: the shipped names, and a site's before them.
TEST(Catalog, RegistrationListsComeFromCatalogsSiteNamesFirst) {
  Catalog c;
  ASSERT_TRUE(c.add(builtin_catalog(), "built in"));
  EXPECT_EQ(c.registration_lists().file, std::vector<std::string>{"luo_file_handler_list"});
  EXPECT_EQ(c.registration_lists().flb,
            (std::vector<std::string>{"luo_flb_global.list", "luo_flb_list"}));
  EXPECT_EQ(c.registration_lists().sessions,
            std::vector<std::string>{"luo_session_global.outgoing.list"});
  ASSERT_TRUE(c.add("[registration_lists]\nflb = [\"my_flbs.head\"]\n", "site.toml"));
  EXPECT_EQ(c.registration_lists().file, std::vector<std::string>{"luo_file_handler_list"});
  EXPECT_EQ(c.registration_lists().flb,
            (std::vector<std::string>{"my_flbs.head", "luo_flb_global.list", "luo_flb_list"}));
}

// A 200,000-character fd pattern once crashed check (SIGSEGV in fnmatch).
TEST(Catalog, OverlongStringsAreRefusedWithTheirPosition) {
  const std::string fd(200000, '*');
  EXPECT_EQ(
      error_of("[[family]]\nname = \"x\"\ncompatible = [\"x-v{N}\"]\nfd = [\"" + fd + "\"]\n"),
      "site.toml:4:7: a string of 200000 bytes; at most 4096 are allowed");
  EXPECT_EQ(
      error_of("[[family]]\nname = \"x\"\ncompatible = [\"" + std::string(60, 'x') + "-v{N}\"]\n"),
      "site.toml:3:14: pattern \"" + std::string(60, 'x') +
          "-v{N}\" is longer than a compatible string can be (47 characters)");
  EXPECT_NE(error_of(std::string(300, 'k') + " = 1\n").find("a key of 300 bytes"),
            std::string::npos);
}

TEST(Catalog, PatternsAreLiteralAroundTheVersion) {
  Catalog c;
  ASSERT_TRUE(c.add("[[family]]\nname = \"dot\"\ncompatible = [\"a.b(v{N})\"]\n", "s.toml").ok());
  EXPECT_TRUE(c.parse("a.b(v12)").known);
  EXPECT_EQ(c.parse("a.b(v12)").version, 12u);
  EXPECT_FALSE(c.parse("aXb(v12)").known);
  EXPECT_FALSE(c.parse("a.b(v)").known);
  EXPECT_FALSE(c.parse("a.b(v1x)").known);
  EXPECT_EQ(c.parse("a-v1-v2").family, "a-v1");
  EXPECT_EQ(c.parse("-v2").family, "-v2");
  EXPECT_EQ(c.parse("x-v").family, "x-v");
  EXPECT_EQ(c.parse("123").family, "123");
  EXPECT_EQ(c.parse("").family, "");
}

TEST(Catalog, LaterDefinitionReplacesEarlier) {
  Catalog c = shipped();
  ASSERT_TRUE(c.add("[[family]]\nname = \"pci\"\nclass = \"flb\"\ncompatible = [\"pci-v{N}\"]\n"
                    "required = true\n",
                    "site.toml")
                  .ok());
  EXPECT_TRUE(c.find("pci")->required);
  ASSERT_TRUE(
      c.add("[[family]]\nname = \"vhost\"\ncompatible = [\"vhost-v{N}\"]\n", "site.toml").ok());
  EXPECT_TRUE(c.parse("vhost-v1").known);
}

}  // namespace
}  // namespace lucompat
