#include "lucompat/derive/core_strings.h"

#include <gtest/gtest.h>

#include <string>

namespace lucompat {
namespace {

const std::vector<CompatibleForm> kForms = {{"luo-v", ""}, {"luo-session-v", ""}, {"kho-v", ""}};

std::vector<std::string> texts(std::string_view bytes, uint64_t offset = 0) {
  std::vector<std::string> out;
  for (const auto& f : find_core_strings(as_bytes(bytes), offset, kForms)) out.push_back(f.text);
  return out;
}

TEST(CoreStrings, WholeStringsOnly) {
  using namespace std::string_literals;
  const std::string data = "luo-v1\0xluo-v2\0luo-v3x\0kho-v1\0luo-session-v2\0luo-v\0"s;
  EXPECT_EQ(texts(data), (std::vector<std::string>{"luo-v1", "kho-v1", "luo-session-v2"}));
}

// A form is looked for by a byte of its prefix, not only its first: forms
// with and without punctuation, one at the very start, in one region.
TEST(CoreStrings, EveryFormIsFoundWhateverItsAnchorByte) {
  using namespace std::string_literals;
  const std::vector<CompatibleForm> forms = {
      {"luo-v", ""}, {"-x", ""}, {"abi", "_ok"}, {"mem.v", ""}, {"kho-v", "", EntryKind::subtree}};
  const std::string data = "-x1\0zabi2_ok\0abi3_ok\0mem.v9\0kho-v7\0luo-v5\0-x1\0"s;
  std::vector<std::string> found;
  for (const auto& f : find_core_strings(as_bytes(data), 0, forms)) found.push_back(f.text);
  EXPECT_EQ(found, (std::vector<std::string>{"-x1", "abi3_ok", "mem.v9", "kho-v7", "luo-v5"}));
  EXPECT_EQ(find_core_strings(as_bytes(data), 0, forms)[3].kind, EntryKind::subtree);
}

TEST(CoreStrings, OffsetsCountFromTheInput) {
  using namespace std::string_literals;
  const auto found = find_core_strings(as_bytes("abc\0kho-v4\0"s), 0x100, kForms);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].offset, 0x104u);
}

TEST(CoreStrings, TwoVersionsOfOneFamilyAreBothKept) {
  using namespace std::string_literals;
  EXPECT_EQ(texts("luo-v1\0luo-v5\0luo-v1\0"s), (std::vector<std::string>{"luo-v1", "luo-v5"}));
}

TEST(CoreStrings, UnterminatedAtTheEndIsNotAString) {
  using namespace std::string_literals;
  EXPECT_TRUE(texts("\0luo-v1"s).empty());
  EXPECT_TRUE(texts("").empty());
}

TEST(CoreStrings, EmptyPrefixFindsNothing) {
  using namespace std::string_literals;
  const std::vector<CompatibleForm> forms = {{"", "-v"}};
  EXPECT_TRUE(find_core_strings(as_bytes("1-v\0"s), 0, forms).empty());
}

}  // namespace
}  // namespace lucompat
