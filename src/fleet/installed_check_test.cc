#include "lucompat/fleet/installed_check.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "base/test_temp_dir.h"

namespace lucompat {
namespace {

namespace fs = std::filesystem;

// A root with the entry kernel-install writes for 7.3.5 as the only (so the
// default) one, and the plugin's record of it when `record` is not empty.
class InstalledCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(root_.path() + "/boot/loader/entries");
    std::ofstream(root_.path() + "/boot/loader/entries/tok-7.3.5.conf")
        << "title Debian\nversion 7.3.5\nlinux /tok/7.3.5/linux\noptions liveupdate=on\n";
    fs::create_directories(root_.path() + "/boot/tok/7.3.5");
    std::ofstream(root_.path() + "/boot/tok/7.3.5/linux") << "kernel";
  }
  void record(const std::string& json) {
    fs::create_directories(root_.path() + "/state/kernel-install");
    std::ofstream(root_.path() + "/state/kernel-install/tok-7.3.5.json") << json;
  }
  Result<std::optional<InstalledCheck>> read(const std::string& banner = "Linux version 7.3.4") {
    return installed_check(SystemRoot(root_.path()), "/state", banner);
  }
  testing::TempDir root_{"installed-check"};
};

TEST_F(InstalledCheckTest, TheDefaultEntrysRecordIsShown) {
  record(R"({"schema": "lucompat.check/2", "verdict": "incompatible", "exit_code": 1,
             "summary": "memfd: every preserved session would be lost",
             "current": {"banner": "Linux version 7.3.4"}})");
  auto c = read();
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->entry, "tok-7.3.5.conf");
  EXPECT_EQ((*c)->verdict, "incompatible");
  EXPECT_EQ((*c)->exit_code, 1);
  EXPECT_EQ((*c)->summary, "memfd: every preserved session would be lost");
  EXPECT_TRUE((*c)->against_running);
  // Checked against another kernel than the one running now.
  auto stale = read("Linux version 7.3.3");
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE((*stale)->against_running);
}

TEST_F(InstalledCheckTest, ACheckThatFailedIsRecordedAsSuch) {
  record(R"({"schema": "lucompat.check/2", "verdict": "error", "exit_code": 3,
             "summary": "/proc/version: no image of the running kernel"})");
  auto c = read();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->verdict, "error");
  EXPECT_EQ((*c)->exit_code, 3);
  EXPECT_FALSE((*c)->against_running);
}

TEST_F(InstalledCheckTest, NoRecordOrNoEntryIsNothingStaged) {
  auto none = read();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  testing::TempDir empty("installed-check-empty");
  auto no_entry = installed_check(SystemRoot(empty.path()), "/state", "x");
  ASSERT_TRUE(no_entry.ok());
  EXPECT_FALSE(no_entry->has_value());
}

TEST_F(InstalledCheckTest, AnUnreadableFileThatDecidesTheDefaultIsAnErrorNotNothingStaged) {
  // loader.conf may name another entry as the default: unread, the record
  // shown could be of an entry systemctl kexec would not boot.
  record(R"({"verdict": "compatible", "exit_code": 0})");
  fs::create_directories(root_.path() + "/boot/loader/loader.conf");
  auto c = read();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().input.find("loader.conf"), std::string::npos) << c.error().to_string();
}

TEST_F(InstalledCheckTest, ARecordThatIsNoRegularFileIsRefusedNotWaitedOn) {
  fs::create_directories(root_.path() + "/state/kernel-install");
  const std::string fifo = root_.path() + "/state/kernel-install/tok-7.3.5.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto c = read();  // a FIFO with no writer: opening it to read would block
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().input, fifo);
}

TEST_F(InstalledCheckTest, ARecordThatIsNoCheckIsAnErrorNamingIt) {
  record(R"({"verdict": "fine", "exit_code": 0})");
  EXPECT_FALSE(read().ok());
  record("{\"verdict\": 1}");
  auto c = read();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().input.find("tok-7.3.5.json"), std::string::npos);
  EXPECT_NE(c.error().message.find("not a lucompat check --json document"), std::string::npos);
}

}  // namespace
}  // namespace lucompat
