#include "lucompat/host/boot_entries.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace lucompat {
namespace {

namespace fs = std::filesystem;

BootEntry entry(std::string id, std::string sort_key = {}, std::string version = {}) {
  BootEntry e;
  e.id = std::move(id);
  e.sort_key = std::move(sort_key);
  e.version = std::move(version);
  return e;
}

std::vector<std::string> ids(const std::vector<BootEntry>& v) {
  std::vector<std::string> out;
  for (const auto& e : v) out.push_back(e.id);
  return out;
}

TEST(BootEntries, ParsesAType1Entry) {
  const BootEntry e = parse_type1_entry(
      "# a comment\ntitle  Debian GNU/Linux\nversion 7.3.4\nsort-key debian\n"
      "linux /vmlinuz-7.3.4\ninitrd /initrd.img-7.3.4\noptions root=/dev/vda1\n"
      "options liveupdate=on\nunknown-key x\n",
      "debian-7.3.4.conf", "/boot");
  EXPECT_EQ(e.title, "Debian GNU/Linux");
  EXPECT_EQ(e.kernel, "/boot/vmlinuz-7.3.4");
  EXPECT_EQ(e.initrds, std::vector<std::string>{"/boot/initrd.img-7.3.4"});
  EXPECT_EQ(e.options, "root=/dev/vda1 liveupdate=on");
  EXPECT_EQ(e.sort_key, "debian");
}

TEST(BootEntries, BootCountersAreNotPartOfTheId) {
  std::optional<unsigned> tries;
  EXPECT_EQ(strip_boot_counter("a+3-1.conf", &tries), "a.conf");
  EXPECT_EQ(tries, 3u);
  EXPECT_EQ(strip_boot_counter("a+0.efi", &tries), "a.efi");
  EXPECT_EQ(tries, 0u);
  EXPECT_EQ(strip_boot_counter("a+b.conf", &tries), "a+b.conf");
  EXPECT_EQ(tries, std::nullopt);
  EXPECT_EQ(strip_boot_counter("no-suffix+2", &tries), "no-suffix");
  EXPECT_EQ(tries, 2u);
}

// sd-boot's and bootctl's order: spent entries last, sort-keyed ones first
// (sort-key, then version newest first), the rest by id newest first.
TEST(BootEntries, SortedAsTheBootMenu) {
  std::vector<BootEntry> v{entry("old.conf"), entry("debian-7.3.4.conf", "debian", "7.3.4"),
                           entry("debian-7.3.10.conf", "debian", "7.3.10"), entry("zz.conf"),
                           entry("arch.conf", "arch", "1")};
  v.push_back(entry("spent.conf", "aaa", "9"));
  v.back().tries_left = 0;
  sort_boot_entries(v);
  EXPECT_EQ(ids(v),
            (std::vector<std::string>{"arch.conf", "debian-7.3.10.conf", "debian-7.3.4.conf",
                                      "zz.conf", "old.conf", "spent.conf"}));
}

TEST(BootEntries, TheDefaultFollowsTheEfiVariablesThenLoaderConf) {
  std::vector<BootEntry> v{entry("b.conf"), entry("a.conf")};
  std::string why;
  EntryPointers p;
  EXPECT_EQ(default_boot_entry(v, p, &why), 0u);
  EXPECT_EQ(why, "the first entry in the boot menu's order");
  p.default_pattern = "A.*";  // a case-insensitive glob
  EXPECT_EQ(default_boot_entry(v, p, &why), 1u);
  p.default_entry = "b.conf";
  EXPECT_EQ(default_boot_entry(v, p, &why), 0u);
  EXPECT_NE(why.find("LoaderEntryDefault"), std::string::npos);
  p.oneshot = "@saved";
  p.selected = "a.conf";
  EXPECT_EQ(default_boot_entry(v, p, &why), 1u);
  EXPECT_FALSE(default_boot_entry({}, p, &why));
}

TEST(BootEntries, ChoosesFromAnEspUnderARoot) {
  const fs::path root = fs::temp_directory_path() / "lucompat-boot-entries-test";
  fs::remove_all(root);
  fs::create_directories(root / "efi/loader/entries");
  std::ofstream(root / "efi/loader/loader.conf") << "timeout 3\ndefault debian-*\n";
  std::ofstream(root / "efi/loader/entries/debian-7.3.4.conf")
      << "title Debian\nlinux /vmlinuz-7.3.4\noptions liveupdate=on\n";
  std::ofstream(root / "efi/loader/entries/other.conf") << "title Other\nlinux /vmlinuz-x\n";
  std::ofstream(root / "efi/loader/entries/two.conf")
      << "title Two\nlinux /v\ninitrd /a\ninitrd /b\n";
  const SystemRoot r(root.string());
  auto chosen = choose_boot_entry(r, "default");
  ASSERT_TRUE(chosen) << chosen.error().to_string();
  EXPECT_EQ(chosen->entry.id, "debian-7.3.4.conf");
  EXPECT_EQ(chosen->entry.kernel, (root / "efi/vmlinuz-7.3.4").string());
  EXPECT_NE(chosen->why.find("loader.conf's default (debian-*)"), std::string::npos);
  EXPECT_EQ(choose_boot_entry(r, "other.conf")->entry.options, "");
  EXPECT_EQ(choose_boot_entry(r, "nope").error().kind, ErrorKind::usage);
  EXPECT_EQ(choose_boot_entry(r, "two.conf").error().kind, ErrorKind::unsupported);
  // An entry that cannot be read could be the default: no guess, an error
  // that names it.
  {
    std::ofstream huge(root / "efi/loader/entries/huge.conf");
    huge << std::string((1 << 20) + 1, '#');
  }
  const auto refused = choose_boot_entry(r, "default");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::limit);
  EXPECT_NE(refused.error().input.find("huge.conf"), std::string::npos);
  fs::remove(root / "efi/loader/entries/huge.conf");
  fs::create_directories(root / "sys/firmware/efi/efivars");
  std::ofstream(root /
                "sys/firmware/efi/efivars/LoaderEntryDefault-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f")
      << std::string("\x07\0\0\0o\0t\0h\0e\0r\0.\0c\0o\0n\0f\0\0\0", 24);
  EXPECT_EQ(choose_boot_entry(r, "default")->entry.id, "other.conf");
  fs::remove_all(root);
  EXPECT_EQ(choose_boot_entry(r, "default").error().kind, ErrorKind::io);
}

}  // namespace
}  // namespace lucompat
