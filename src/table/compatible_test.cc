#include "lucompat/table/compatible.h"

#include <gtest/gtest.h>

namespace lucompat {
namespace {

TEST(Compatible, ComponentsInOrder) {
  EXPECT_EQ(components_of("memfd-v2;vmalloc-v1"),
            (std::vector<std::string_view>{"memfd-v2", "vmalloc-v1"}));
  EXPECT_EQ(components_of("luo-v1"), (std::vector<std::string_view>{"luo-v1"}));
  EXPECT_TRUE(is_composite("luo-v5;block-v1"));
  EXPECT_FALSE(is_composite("luo-v5"));
}

TEST(Compatible, KeyKeepsTheFirstComponentAndSortsTheRest) {
  EXPECT_EQ(component_key("memfd-v2;vmalloc-v1;seals-v1"), "memfd-v2;seals-v1;vmalloc-v1");
  EXPECT_EQ(component_key("memfd-v2;seals-v1;vmalloc-v1"),
            component_key("memfd-v2;vmalloc-v1;seals-v1"));
  EXPECT_NE(component_key("vmalloc-v1;memfd-v2"), component_key("memfd-v2;vmalloc-v1"));
  EXPECT_EQ(component_key("memfd-v1"), "memfd-v1");
}

TEST(Compatible, EmptyComponentsAreProblemsAtTheirPosition) {
  EXPECT_FALSE(compatible_problem("memfd-v2;vmalloc-v1"));
  EXPECT_FALSE(compatible_problem("memfd-v1"));
  const auto doubled = compatible_problem("memfd-v2;;vmalloc-v1");
  ASSERT_TRUE(doubled);
  EXPECT_EQ(doubled->position, 9u);
  EXPECT_EQ(doubled->message, "composite \"memfd-v2;;vmalloc-v1\": component 2 is empty");
  ASSERT_TRUE(compatible_problem(";memfd-v2"));
  EXPECT_EQ(compatible_problem(";memfd-v2")->position, 0u);
  ASSERT_TRUE(compatible_problem("memfd-v2;"));
  EXPECT_EQ(compatible_problem("memfd-v2;")->position, 9u);
  EXPECT_TRUE(compatible_problem(";"));
}

TEST(Compatible, AtSignIsReservedForIntegerVersions) {
  const auto p = compatible_problem("pci@2");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->position, 3u);
}

TEST(Compatible, IntegerSpelling) {
  EXPECT_EQ(integer_compatible("pci", 2), "pci@2");
  const auto v = parse_integer_compatible("pci@4294967295");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->name, "pci");
  EXPECT_EQ(v->version, 4294967295u);
  for (const char* bad :
       {"pci", "pci@", "@2", "pci@0", "pci@4294967296", "pci@2a", "pci@-1", "pci@+1"})
    EXPECT_FALSE(parse_integer_compatible(bad)) << bad;
}

}  // namespace
}  // namespace lucompat
