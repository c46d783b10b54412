#include "container/sparse_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

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

}  // namespace
}  // namespace lucompat
