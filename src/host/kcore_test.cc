#include "lucompat/host/kcore.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "base/test_temp_dir.h"
#include "host/test_kcore.h"

namespace lucompat {
namespace {

// Cores written to a directory of their own, removed after the test.
class KcoreTest : public ::testing::Test {
 protected:
  std::string core(const std::vector<KcoreSegment>& segments) {
    const std::string path = dir_.path() + "/kcore";
    std::ofstream(path, std::ios::binary) << kcore_bytes(segments);
    return path;
  }

  static std::string text(const std::vector<std::byte>& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }

  lucompat::testing::TempDir dir_{"lucompat-kcore"};
};

TEST_F(KcoreTest, ReadsWithinOneSegment) {
  auto k = Kcore::open(core({{0xffff800000000000, "hello, kernel"}}));
  ASSERT_TRUE(k) << k.error().to_string();
  auto r = (*k)->read(0xffff800000000007, 6);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(text(*r), "kernel");
}

// The kernel maps contiguous memory as one segment per block of RAM: a
// string or object at a block's end continues in the next segment.
TEST_F(KcoreTest, AReadCrossesAdjacentSegments) {
  auto k = Kcore::open(
      core({{0xffff800000000000, "luo-v"}, {0xffff800000000005, std::string("1\0memfd", 7)}}));
  ASSERT_TRUE(k) << k.error().to_string();
  auto r = (*k)->read(0xffff800000000002, 5);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(text(*r), std::string("o-v1\0", 5));
}

TEST_F(KcoreTest, AGapOrAWrapIsNotMapped) {
  auto k = Kcore::open(core({{0xffff800000000000, "abcd"}, {0xffff800000000008, "efgh"}}));
  ASSERT_TRUE(k) << k.error().to_string();
  auto r = (*k)->read(0xffff800000000002, 8);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("kernel address 0xffff800000000004 (in a read of 8 bytes at "
                                   "0xffff800000000002) is not mapped"),
            std::string::npos)
      << r.error().message;
  auto k2 = Kcore::open(core({{0xfffffffffffffffc, "abcd"}}));
  ASSERT_TRUE(k2) << k2.error().to_string();
  EXPECT_FALSE((*k2)->read(0xfffffffffffffffe, 4));
  EXPECT_TRUE((*k2)->read(0xfffffffffffffffe, 2));
}

// e_phoff near 2^64 once wrapped the bound on the program headers, and the
// reader's error escaped open() as an exception: exit 70.
TEST_F(KcoreTest, ProgramHeadersNearTheEndOfTheAddressSpaceAreRefused) {
  for (const uint64_t phoff : {~uint64_t{0} - 7, ~uint64_t{0} - 55, uint64_t{1} << 63}) {
    SCOPED_TRACE(phoff);
    std::string bytes = kcore_bytes({{0xffff800000000000, "abcd"}});
    std::memcpy(bytes.data() + offsetof(Elf64_Ehdr, e_phoff), &phoff, sizeof phoff);
    const std::string path = dir_.path() + "/kcore";
    std::ofstream(path, std::ios::binary) << bytes;
    Result<std::unique_ptr<Kcore>> k = Error{};
    EXPECT_NO_THROW(k = Kcore::open(path));
    ASSERT_FALSE(k);
    EXPECT_EQ(k.error().kind, ErrorKind::malformed);
    EXPECT_NE(k.error().message.find("not a kernel's core"), std::string::npos)
        << k.error().message;
  }
}

}  // namespace
}  // namespace lucompat
