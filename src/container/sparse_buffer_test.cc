#include "container/sparse_buffer.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace lucompat
