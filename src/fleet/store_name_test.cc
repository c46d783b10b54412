#include "lucompat/fleet/store.h"

#include <gtest/gtest.h>

namespace lucompat {
namespace {

TEST(StoreName, NeverCarriesAPassword) {
  EXPECT_EQ(store_name("sqlite:/var/lib/lucompat/fleet.db"), "/var/lib/lucompat/fleet.db");
  EXPECT_EQ(store_name("postgresql://fleet:s3cret@db.example/fleet"),
            "postgresql://fleet:***@db.example/fleet");
  EXPECT_EQ(store_name("postgresql://fleet@db/fleet?password=s3cret&sslmode=require"),
            "postgresql://fleet@db/fleet?password=***&sslmode=require");
  EXPECT_EQ(store_name("postgresql://db:5432/fleet"), "postgresql://db:5432/fleet");
  EXPECT_EQ(store_name("postgres://u:p@h/d?password=q"), "postgres://u:***@h/d?password=***");
}

}  // namespace
}  // namespace lucompat
