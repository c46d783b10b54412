#include "container/sparse_buffer.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace lucompat {
namespace {

TEST(SparseBuffer, WritesAndViewsStayInsideTheCapacity) {
  SparseBuffer b(1 << 16);
  const std::string data(100, 'x');
  b.write(10, as_bytes(data));
  EXPECT_TRUE(b.covers(10, 100));
  EXPECT_EQ(b.view(1 << 16).size(), 1u << 16);
  EXPECT_THROW(b.write((1 << 16) - 50, as_bytes(data)), ParseError);
  EXPECT_THROW(b.write(UINT64_MAX - 10, as_bytes(data)), ParseError);
  EXPECT_THROW((void)b.view((1 << 16) + 1), ParseError);
}

TEST(SparseBuffer, WhatADecoderWroteAndTheCaptureDidNotKeepIsDropped) {
  auto b = SparseBuffer::acquire(8 << 20);
  const OutputArea area = b->lend();
  std::memset(area.data, 'd', 4 << 20);                  // a decoder's output
  b->write(1 << 20, Bytes(area.data + (1 << 20), 100));  // kept in place
  EXPECT_TRUE(b->covers(1 << 20, 100));
  b->drop_absent(4 << 20);
  const Bytes v = b->view(4 << 20);
  EXPECT_EQ(v[(1 << 20) + 50], std::byte{'d'});
  EXPECT_EQ(v[(1 << 20) - 1], std::byte{0});
  EXPECT_EQ(v[(1 << 20) + 100], std::byte{0});
  EXPECT_EQ(v[(4 << 20) - 1], std::byte{0});
  // Recycled for the thread's next stream: all zeros again.
  b.reset();
  const auto again = SparseBuffer::acquire(8 << 20);
  const Bytes w = again->view(8 << 20);
  EXPECT_TRUE(std::all_of(w.begin(), w.end(), [](std::byte x) { return x == std::byte{0}; }));
}

// Which of `pages` pages from `at` hold memory (mincore).
std::vector<bool> resident(Bytes view, uint64_t at, uint64_t pages) {
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> v(pages);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): mincore only reads the address
  EXPECT_EQ(::mincore(const_cast<std::byte*>(view.data() + at * page), pages * page, v.data()), 0);
  std::vector<bool> out;
  for (const unsigned char c : v) out.push_back((c & 1) != 0);
  return out;
}

TEST(SparseBuffer, WholePagesOfZerosCostNoMemory) {
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  SparseBuffer b(16 * page);
  // From the middle of page 1 to the middle of page 6: pages 3 and 4 are zeros.
  std::string data(5 * page, 'k');
  std::fill_n(data.begin() + static_cast<std::ptrdiff_t>(page + page / 2), 2 * page, '\0');
  b.write(page + page / 2, as_bytes(data));
  EXPECT_TRUE(b.covers(page + page / 2, data.size()));
  EXPECT_EQ(resident(b.view(16 * page), 1, 6),
            (std::vector<bool>{true, true, false, false, true, true}));
  const Bytes v = b.view(16 * page);
  EXPECT_EQ(std::memcmp(v.data() + page + page / 2, data.data(), data.size()), 0);
}

TEST(SparseBuffer, ZerosWrittenOverDataReadAsZeros) {
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  auto b = SparseBuffer::acquire(8 * page);
  const OutputArea area = b->lend();
  std::memset(area.data, 'd', 8 * page);  // a decoder's output, then its zeros in place
  std::memset(area.data + 2 * page, 0, 3 * page);
  b->write(0, Bytes(area.data, 8 * page));
  EXPECT_EQ(resident(b->view(8 * page), 0, 8),
            (std::vector<bool>{true, true, false, false, false, true, true, true}));
  const std::string zeros(2 * page, '\0');
  b->write(6 * page, as_bytes(zeros));  // copied over what was there
  const Bytes v = b->view(8 * page);
  EXPECT_EQ(v[page], std::byte{'d'});
  EXPECT_EQ(v[3 * page], std::byte{0});
  EXPECT_EQ(v[7 * page], std::byte{0});
  EXPECT_EQ(v[5 * page], std::byte{'d'});
}

}  // namespace
}  // namespace lucompat
