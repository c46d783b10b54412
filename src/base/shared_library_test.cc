#include "lucompat/base/shared_library.h"

#include <gtest/gtest.h>

#include <cstring>

namespace lucompat {
namespace {

TEST(SharedLibrary, FillsTheSlots) {
  struct {
    decltype(&::strlen) strlen = nullptr;
  } api;
  const SymbolSlot symbols[] = {{"strlen", &api.strlen}};
  ASSERT_TRUE(open_shared_library("libc.so.6", "a test", symbols).ok());
  ASSERT_NE(api.strlen, nullptr);
  EXPECT_EQ(api.strlen("four"), 4u);
}

TEST(SharedLibrary, AMissingLibrarySaysWhoNeedsIt) {
  const auto r = open_shared_library("liblucompat-absent.so.9", "reading widgets", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().input, "liblucompat-absent.so.9");
  EXPECT_NE(r.error().message.find("reading widgets needs liblucompat-absent.so.9"),
            std::string::npos)
      << r.error().message;
}

TEST(SharedLibrary, AMissingSymbolIsAnError) {
  void (*fn)() = nullptr;
  const SymbolSlot symbols[] = {{"lucompat_no_such_function", &fn}};
  const auto r = open_shared_library("libc.so.6", "a test", symbols);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("lucompat_no_such_function"), std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace lucompat
