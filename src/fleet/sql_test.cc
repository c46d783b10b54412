#include "fleet/sql.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "base/test_temp_dir.h"
#include "fleet/stores.h"

namespace lucompat {
namespace {

// A store in a directory of its own, removed after the test.
class SqlTest : public ::testing::Test {
 protected:
  std::unique_ptr<sql::Connection> connect() {
    auto db = connect_sqlite(path_, StoreAccess::create);
    EXPECT_TRUE(db) << db.error().to_string();
    return db ? std::move(db).value() : nullptr;
  }

  // The one row of `select`, read by `read`.
  template <typename Read>
  void one_row(sql::Connection& db, const std::string& select, Read read) {
    auto rows = db.query("cannot read", select, {});
    ASSERT_TRUE(rows) << rows.error().to_string();
    auto more = rows->next();
    ASSERT_TRUE(more && *more);
    read(*rows);
    more = rows->next();
    ASSERT_TRUE(more);
    EXPECT_FALSE(*more);
  }

  lucompat::testing::TempDir dir_{"lucompat-sql"};
  std::string path_ = dir_.path() + "/fleet.db";
};

HostReport report(const std::string& host) {
  HostReport r;
  r.host = host;
  r.collected_at = "2026-11-27T00:00:00Z";
  r.running = KernelFacts{
      "6.99", "Linux version 6.99 (b@h) #1 SMP", "ab", "x86_64", true, {"luo-v1"}, "", ""};
  return r;
}

TEST_F(SqlTest, ReadsWhatItIsAskedFor) {
  auto db = connect();
  ASSERT_TRUE(db);
  one_row(
      *db,
      R"(SELECT 7, NULL, 1, 'h1', '["a", "b"]', '{"memfd": "memfd-v2"}', '2026-11-27T00:00:00.5Z')",
      [](const sql::Rows& row) {
        EXPECT_EQ(*row.integer(0, "n"), 7);
        EXPECT_EQ(*row.optional_integer(1, "n"), std::nullopt);
        EXPECT_EQ(*row.optional_integer(0, "n"), 7);
        EXPECT_TRUE(*row.boolean(2, "b"));
        EXPECT_EQ(*row.text(3, "t"), "h1");
        EXPECT_EQ(*row.optional_text(1, "t"), std::nullopt);
        EXPECT_EQ(*row.strings(4, "s"), (std::vector<std::string>{"a", "b"}));
        EXPECT_EQ(*row.string_object(5, "o"), R"({"memfd": "memfd-v2"})");
        EXPECT_EQ(*row.time(6, "c"), *parse_utc("2026-11-27T00:00:00.5Z"));
      });
}

// Values a store edited by hand may hold: each getter says which column of
// which row, and why, without throwing.
TEST_F(SqlTest, ValuesTheStoreShouldNotHoldAreErrorsNamingTheRow) {
  auto db = connect();
  ASSERT_TRUE(db);
  one_row(
      *db,
      R"(SELECT 'abc', 'maybe', CAST(X'68ff' AS TEXT), 'not json', '[1, 2]', '[]', '{"a": 1}', 'yesterday')",
      [&](const sql::Rows& row) {
        const auto error = [](const auto& r) { return r ? std::optional<Error>() : r.error(); };
        const std::pair<std::optional<Error>, std::string> cases[]{
            {error(row.integer(0, "hosts.running of host", "hv-1")),
             "hosts.running of host hv-1: not an integer"},
            {error(row.optional_integer(0, "hosts.staged")), "hosts.staged: not an integer"},
            {error(row.boolean(1, "builds.has_table of build", "3")),
             "builds.has_table of build 3: not a boolean"},
            {error(row.text(2, "hosts.name")), "hosts.name: not UTF-8"},
            {error(row.optional_text(2, "the label rack")), "the label rack: not UTF-8"},
            {error(row.strings(3, "builds.strings")),
             "builds.strings: not a JSON array of strings"},
            {error(row.strings(4, "builds.strings")),
             "builds.strings: not a JSON array of strings"},
            {error(row.string_object(5, "hosts.emit")), "hosts.emit: not a JSON object of strings"},
            {error(row.string_object(6, "hosts.emit")), "hosts.emit: not a JSON object of strings"},
            {error(row.string_object(2, "hosts.emit")), "hosts.emit: not a JSON object of strings"},
            {error(row.time(7, "hosts.collected_at")), "hosts.collected_at: not a UTC time"},
        };
        for (const auto& [e, message] : cases) {
          ASSERT_TRUE(e) << message;
          EXPECT_EQ(e->kind, ErrorKind::malformed);
          EXPECT_EQ(e->input, path_);
          EXPECT_EQ(e->message, "corrupt store: " + message);
        }
      });
}

TEST_F(SqlTest, EveryPrepareAndBindIsChecked) {
  auto db = connect();
  ASSERT_TRUE(db);
  auto missing = db->query("cannot read hosts", "SELECT name FROM nowhere", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "cannot read hosts: no such table: nowhere");
  const std::array<sql::Value, 1> one{int64_t{1}};
  auto extra = db->execute("cannot count", "SELECT 1", one);
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error().message, "cannot count: the statement has 0 parameters, not 1");
  auto bad = db->script("cannot run", "CREATE TABLE t (x); CREATE TABLE t (x)");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "cannot run: table t already exists");
}

TEST_F(SqlTest, ParametersKeepTheirTypes) {
  auto db = connect();
  ASSERT_TRUE(db);
  const std::array<sql::Value, 5> params{int64_t{42}, std::optional<int64_t>(), true,
                                         std::string_view("x'y"), sql::Json{R"({"k": "v"})"}};
  auto rows = db->query("cannot read", "SELECT ?, ?, ?, ?, ?", params);
  ASSERT_TRUE(rows);
  ASSERT_TRUE(*rows->next());
  EXPECT_EQ(*rows->integer(0, "i"), 42);
  EXPECT_EQ(*rows->optional_integer(1, "n"), std::nullopt);
  EXPECT_TRUE(*rows->boolean(2, "b"));
  EXPECT_EQ(*rows->text(3, "t"), "x'y");
  EXPECT_EQ(*rows->string_object(4, "j"), R"({"k": "v"})");
}

// The store over corrupt rows: every query fails with the row, none throws.
TEST_F(SqlTest, QueriesOverCorruptRowsFailWithTheRow) {
  {
    auto store = open_store("sqlite:" + path_);
    ASSERT_TRUE(store) << store.error().to_string();
    ASSERT_TRUE((*store)->ingest({report("c")}));
  }
  const std::vector<std::pair<std::string, std::string>> corruptions{
      {"UPDATE hosts SET running = 'abc'",
       "corrupt store: hosts.running of host c: not an integer"},
      {"UPDATE hosts SET staged = 'x'", "corrupt store: hosts.staged of host c: not an integer"},
      {"UPDATE hosts SET emit = '[]'",
       "corrupt store: hosts.emit of host c: not a JSON object of strings"},
      {"UPDATE hosts SET collected_at = 'yesterday'",
       "corrupt store: hosts.collected_at of host c: not a UTC time"},
      {"UPDATE hosts SET name = CAST(X'68ff' AS TEXT)", "corrupt store: hosts.name: not UTF-8"},
      {"UPDATE hosts SET profile = CAST(X'ff' AS TEXT)",
       "corrupt store: hosts.profile of host c: not UTF-8"},
  };
  for (const auto& [update, message] : corruptions) {
    SCOPED_TRACE(update);
    auto db = connect();
    ASSERT_TRUE(db);
    // Never committed: the next case starts from the stored report again.
    ASSERT_TRUE(db->script("cannot corrupt", "PRAGMA foreign_keys=OFF; SAVEPOINT s; " + update));
    auto store = Store(std::move(db));
    const auto read = store.hosts({}, [](const HostRow&) -> Result<void> { return {}; });
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().message, message);
    if (update.find("collected_at") == std::string::npos &&
        update.find("profile") == std::string::npos) {
      auto groups = store.groups({});
      ASSERT_FALSE(groups);
      EXPECT_EQ(groups.error().message, message);
    }
  }
}

TEST_F(SqlTest, BuildsOverCorruptRowsFailWithTheBuild) {
  {
    auto store = open_store("sqlite:" + path_);
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->ingest({report("c")}));
  }
  for (const auto& [update, message] : std::vector<std::pair<std::string, std::string>>{
           {"UPDATE builds SET strings = 'not json'",
            "corrupt store: builds.strings of build 1: not a JSON array of strings"},
           {"UPDATE builds SET has_table = 'maybe'",
            "corrupt store: builds.has_table of build 1: not a boolean"},
           {"UPDATE builds SET release = CAST(X'c0af' AS TEXT)",
            "corrupt store: builds.release of build 1: not UTF-8"},
       }) {
    SCOPED_TRACE(update);
    auto db = connect();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->script("cannot corrupt", "SAVEPOINT s; " + update));
    auto store = Store(std::move(db));
    auto builds = store.builds();
    ASSERT_FALSE(builds);
    EXPECT_EQ(builds.error().message, message);
  }
}

}  // namespace
}  // namespace lucompat
