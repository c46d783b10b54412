#include "lucompat/host/kcore.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace lucompat {
namespace {

struct Segment {
  uint64_t address;
  std::string bytes;
};

// A core as /proc/kcore is: an ELF64 header, then one PT_LOAD per segment,
// each segment's bytes at its own page.
class KcoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "lucompat-kcore-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string core(const std::vector<Segment>& segments) {
    Elf64_Ehdr h{};
    std::memcpy(h.e_ident, ELFMAG, SELFMAG);
    h.e_ident[EI_CLASS] = ELFCLASS64;
    h.e_ident[EI_DATA] = ELFDATA2LSB;
    h.e_ident[EI_VERSION] = EV_CURRENT;
    h.e_type = ET_CORE;
    h.e_machine = EM_X86_64;
    h.e_version = EV_CURRENT;
    h.e_phoff = sizeof(h);
    h.e_ehsize = sizeof(h);
    h.e_phentsize = sizeof(Elf64_Phdr);
    h.e_phnum = static_cast<uint16_t>(segments.size());
    std::string file(reinterpret_cast<const char*>(&h), sizeof(h));
    uint64_t offset = 0x1000;
    std::string data;
    for (const auto& s : segments) {
      Elf64_Phdr p{};
      p.p_type = PT_LOAD;
      p.p_vaddr = s.address;
      p.p_offset = offset;
      p.p_filesz = p.p_memsz = s.bytes.size();
      file.append(reinterpret_cast<const char*>(&p), sizeof(p));
      data += s.bytes;
      data.resize((data.size() + 0xfff) & ~size_t{0xfff}, '\0');
      offset = 0x1000 + data.size();
    }
    file.resize(0x1000, '\0');
    file += data;
    const std::string path = dir_ + "/kcore";
    std::ofstream(path, std::ios::binary) << file;
    return path;
  }

  static std::string text(const std::vector<std::byte>& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }

  std::string dir_;
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

}  // namespace
}  // namespace lucompat
