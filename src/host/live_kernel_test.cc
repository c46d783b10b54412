#include "lucompat/host/live_kernel.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/test_temp_dir.h"
#include "derive/test_btf.h"
#include "host/test_kcore.h"

namespace lucompat {
namespace {

constexpr uint64_t kBase = 0xffff800000000000;
constexpr std::string_view kBanner = "Linux version 6.99.0-live (t@t) #1 SMP";

// A root whose /proc is a running kernel's: its banner in memory at the
// address kallsyms gives, and no LUO list head among its symbols.
class LiveKernelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write("/proc/version", std::string(kBanner) + "\n");
    write("/proc/sys/kernel/osrelease", "6.99.0-live\n");
    write("/proc/kallsyms", "ffff800000000000 D linux_banner\n");
    std::string memory(kBanner);
    memory.resize(0x1000, '\0');  // strings are read in pieces, past their NUL
    write("/proc/kcore", kcore_bytes({{kBase, memory}}));
  }
  void write(const std::string& path, const std::string& bytes) {
    std::filesystem::create_directories(std::filesystem::path(root_.path() + path).parent_path());
    std::ofstream(root_.path() + path, std::ios::binary) << bytes;
  }

  Result<Inspection> query() {
    Catalog catalog;
    EXPECT_TRUE(catalog.add(builtin_catalog(), "catalog.toml").ok());
    return inspect_running(live_query_from(catalog, SystemRoot(root_.path())));
  }

  lucompat::testing::TempDir root_{"lucompat-live"};
};

TEST_F(LiveKernelTest, AKernelWithoutLuoHasNoTable) {
  auto in = query();
  ASSERT_TRUE(in) << in.error().to_string();
  ASSERT_TRUE(in->derived);
  EXPECT_EQ(in->derived->luo, LuoPresence::absent);
  EXPECT_FALSE(has_version_set(*in));
}

// LUO built in, its lists renamed: the set is incomplete (undecided), and
// the gaps name every list the catalog tried, so the operator can name them.
TEST_F(LiveKernelTest, ListsItCannotFindAreGapsNamingEveryNameTried) {
  const std::vector<std::byte> btf = crafted_btf(136);
  write("/sys/kernel/btf/vmlinux",
        std::string(reinterpret_cast<const char*>(btf.data()), btf.size()));
  write("/proc/kallsyms",
        "ffff800000000000 D linux_banner\nffff800000001000 T liveupdate_register_file_handler\n");
  auto in = query();
  ASSERT_TRUE(in) << in.error().to_string();
  ASSERT_TRUE(in->derived);
  EXPECT_EQ(in->derived->luo, LuoPresence::present);
  ASSERT_EQ(in->derived->gaps.size(), 2u);
  EXPECT_NE(in->derived->gaps[0].detail.find("file handler list heads the catalog names "
                                             "(luo_file_handler_list)"),
            std::string::npos)
      << in->derived->gaps[0].detail;
  EXPECT_NE(in->derived->gaps[1].detail.find("(luo_flb_global.list, luo_flb_list)"),
            std::string::npos)
      << in->derived->gaps[1].detail;
}

}  // namespace
}  // namespace lucompat
