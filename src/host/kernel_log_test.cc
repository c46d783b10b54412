#include "lucompat/host/kernel_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/test_temp_dir.h"

namespace lucompat {
namespace {

TEST(KernelLog, RecordsAreTheirTextAndContinuationsAreDropped) {
  const KernelLog log = parse_kmsg(
      "5,0,0,-;Linux version 7.3.4 (lucompat@build) #1\n"
      "6,1,571809,-;luo: Retrieved live update data, liveupdate number: 1\n"
      " SUBSYSTEM=liveupdate\n"
      "6,2,845072,c;KHO: exec from: 7.3.4 (count 1)\n");
  ASSERT_EQ(log.messages.size(), 3U);
  EXPECT_EQ(log.messages[1], "luo: Retrieved live update data, liveupdate number: 1");
  EXPECT_EQ(log.messages[2], "KHO: exec from: 7.3.4 (count 1)");
  EXPECT_TRUE(log.complete);
}

TEST(KernelLog, ARingThatRotatedPastTheBootIsIncomplete) {
  EXPECT_FALSE(parse_kmsg("6,4711,99999999,-;late\n").complete);
  EXPECT_FALSE(parse_kmsg("").complete);
  EXPECT_FALSE(parse_kmsg("garbage without a prefix\n").complete);
}

TEST(KernelLog, ASavedCopyReadsAsTheDevice) {
  testing::TempDir root("kernel-log");
  std::filesystem::create_directories(root.path() + "/dev");
  std::ofstream(root.path() + "/dev/kmsg") << "6,0,0,-;first\n6,1,5,-;second\n";
  auto log = read_kernel_log(SystemRoot(root.path()));
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_EQ(log->messages, (std::vector<std::string>{"first", "second"}));
  EXPECT_TRUE(log->complete);
  // Cut at the bound: not the whole log, so not complete.
  auto cut = read_kernel_log(SystemRoot(root.path()), 4);
  ASSERT_TRUE(cut.ok());
  EXPECT_FALSE(cut->complete);
}

TEST(KernelLog, NoLogIsAnErrorThatNamesIt) {
  testing::TempDir root("kernel-log");
  auto log = read_kernel_log(SystemRoot(root.path()));
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.error().input.find("/dev/kmsg"), std::string::npos);
}

}  // namespace
}  // namespace lucompat
