#include "lucompat/fleet/store.h"

#include <gtest/gtest.h>

namespace lucompat {
namespace {

TEST(StoreName, NeverCarriesAPassword) {
  EXPECT_EQ(store_name("sqlite:/var/lib/lucompat/fleet.db"), "/var/lib/lucompat/fleet.db");
  EXPECT_EQ(store_name("postgresql://fleet:s3cret@db.example/fleet"),
            "postgresql://fleet:***@db.example/fleet");
  EXPECT_EQ(store_name("postgresql://fleet@db/fleet?password=s3cret&sslmode=require"),
            "postgresql://fleet:***@db/fleet?sslmode=require");
  EXPECT_EQ(store_name("postgresql://db:5432/fleet"), "postgresql://db:5432/fleet");
  EXPECT_EQ(store_name("postgres://u:p@h/d?password=q"), "postgres://u:***@h/d");
}

// libpq decodes a query key as it decodes a value: "pass%77ord" is its
// password, and was printed as it was spelled. What is masked is what libpq
// parses, whatever the spelling.
TEST(StoreName, MasksWhatLibpqParsesNotWhatIsSpelled) {
  for (const std::string url :
       {"postgresql://fleet@db/fleet?pass%77ord=s3cret",
        "postgresql://fleet@db/fleet?%70assword=s3cret", "postgresql://fleet:%73%33cret@db/fleet",
        "postgresql://fleet@db/fleet?sslpassword=s3cret"}) {
    SCOPED_TRACE(url);
    const std::string name = store_name(url);
    EXPECT_EQ(name.find("s3cret"), std::string::npos) << name;
    EXPECT_EQ(name.find("%73%33"), std::string::npos) << name;
    EXPECT_NE(name.find("***"), std::string::npos) << name;
  }
  // Sockets and several hosts stay readable; every value as libpq read it.
  EXPECT_EQ(store_name("postgresql:///fleet?host=/run/postgresql&user=postgres"),
            "postgresql://postgres@/fleet?host=%2Frun%2Fpostgresql");
  EXPECT_EQ(store_name("postgresql://h1:5432,h2:5433/fleet?target_session_attrs=read-write"),
            "postgresql:///fleet?host=h1%2Ch2&port=5432%2C5433&target_session_attrs=read-write");
  // What libpq cannot parse cannot be masked by its parse: nothing is shown.
  EXPECT_EQ(store_name("postgresql://fleet:s3cret@db/fleet?%zz=1"),
            "postgresql://*** (a URL libpq cannot parse)");
  EXPECT_EQ(store_name("mysql://fleet:s3cret@db/fleet"), "mysql://*** (a URL libpq cannot parse)");
}

}  // namespace
}  // namespace lucompat
