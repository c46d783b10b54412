// One SQL core for both fleet stores. The schema, its migrations and every
// query are written once (fleet_store.cc) against Connection; a backend
// (sqlite_store.cc: SQLite's C API, postgres_store.cc: libpq) runs statements
// and steps through their rows, and answers the few questions on which the
// dialects differ: column types, where a JSON label is, how a write or a
// read transaction begins. Every prepare and step is checked, and every value
// read goes through Rows, which returns an Error for a value the store should
// not hold: its rows may have been edited by hand or by another program, and
// a bad one is bad input (exit 3), never a crash.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lucompat/base/result.h"
#include "lucompat/fleet/utc_time.h"

namespace lucompat::sql {

// JSON text bound to a parameter: PostgreSQL's JSONB column must know it is.
struct Json {
  std::string_view text;
};

// A statement's parameter, written `?` in the SQL text. Integers carry their
// type when NULL, so that a column of NULLs in a multi-row VALUES list is
// still read as integers.
using Value = std::variant<std::optional<int64_t>, bool, std::string_view, Json>;

// One statement's rows as a backend steps through them. Values are read as
// they are stored; Rows checks them.
class Cursor {
 public:
  Cursor() = default;
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  virtual ~Cursor() = default;

  // Moves to the next row: true, false after the last one, or why neither.
  virtual Result<bool> next() = 0;
  virtual bool null(int col) const = 0;
  // Valid until the next call of next().
  virtual std::string_view text(int col) const = 0;
  // nullopt when the value is not one.
  virtual std::optional<int64_t> integer(int col) const = 0;
  virtual std::optional<bool> boolean(int col) const = 0;
};

// The rows of one query, read one at a time. Each getter returns the value,
// or "corrupt store: WHAT[ OF]: PROBLEM" for one the store should not hold:
// ("hosts.running of host", "hv-7", "not an integer"). OF names the row
// apart from WHAT so that reading a million rows formats nothing.
class Rows {
 public:
  Rows(std::unique_ptr<Cursor> cursor, std::string store)
      : cursor_(std::move(cursor)), store_(std::move(store)) {}

  Result<bool> next() { return cursor_->next(); }

  Result<int64_t> integer(int col, std::string_view what, std::string_view of = {}) const;
  Result<std::optional<int64_t>> optional_integer(int col, std::string_view what,
                                                  std::string_view of = {}) const;
  Result<bool> boolean(int col, std::string_view what, std::string_view of = {}) const;
  // UTF-8, since it may end up in JSON; valid until next().
  Result<std::string_view> text(int col, std::string_view what, std::string_view of = {}) const;
  Result<std::optional<std::string_view>> optional_text(int col, std::string_view what,
                                                        std::string_view of = {}) const;
  // A JSON array of strings.
  Result<std::vector<std::string>> strings(int col, std::string_view what,
                                           std::string_view of = {}) const;
  // A JSON object of strings (pins, labels), as its text.
  Result<std::string_view> string_object(int col, std::string_view what,
                                         std::string_view of = {}) const;
  Result<UtcTime> time(int col, std::string_view what, std::string_view of = {}) const;

  Error corrupt(std::string_view what, std::string_view of, std::string_view problem) const;

 private:
  std::unique_ptr<Cursor> cursor_;
  std::string store_;
};

// A statement prepared once and run as often as needed: SQLite parses and
// plans it once, however many rows it is run for.
class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  virtual ~Statement() = default;

  // Runs it with these parameters; the rows it inserted, updated or deleted.
  virtual Result<int64_t> execute(std::span<const Value> params) = 0;
};

// The types of the schema's columns in one dialect.
struct ColumnTypes {
  std::string_view id;       // an integer key the database assigns
  std::string_view integer;  // 64 bits
  std::string_view boolean;
  std::string_view json;  // JSON text; PostgreSQL can index and query JSONB
};

// A database the store runs on: statements in, rows out, every failure an
// Error naming the store (never with a password) and what was being done.
class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  virtual ~Connection() = default;

  // What errors name the store by.
  virtual const std::string& name() const = 0;

  virtual ColumnTypes types() const = 0;
  // An expression over the hosts' `labels` with one `?`: the value of the
  // label whose key label_key() makes the parameter, or NULL.
  virtual std::string_view label_sql() const = 0;
  virtual std::string label_key(std::string_view key) const = 0;
  // Hosts one upsert statement writes. PostgreSQL pays a round trip per
  // statement; SQLite keeps a statement journal for one that writes several
  // rows, which tripled the writes of an ingest.
  virtual size_t rows_per_statement() const = 0;
  // The hosts table, read whole in its own order: SQLite would walk an index
  // in GROUP BY order and fetch each row at random, four times slower.
  virtual std::string_view hosts_scan() const = 0;
  // Opens a transaction that will write. SQLite takes its write lock at
  // once: two writers that each held a read lock first could wait for each
  // other.
  virtual std::string_view begin_write() const = 0;
  // Opens a transaction in which every query sees one state of the store,
  // whatever ingesters commit meanwhile.
  virtual std::string_view begin_read() const = 0;
  // Run first in a migration's transaction, so that hosts opening one new
  // store at once migrate it once; empty where begin_write() already did.
  virtual std::string_view lock_schema() const = 0;

  // Several statements without parameters: DDL, BEGIN, COMMIT.
  virtual Result<void> script(std::string_view what, std::string_view sql) = 0;
  // One statement, to run: `what` is what its errors say was being done.
  virtual Result<std::unique_ptr<Statement>> prepare(std::string_view what,
                                                     std::string_view sql) = 0;
  // A statement run once; the rows it inserted, updated or deleted.
  Result<int64_t> execute(std::string_view what, std::string_view sql,
                          std::span<const Value> params) {
    LUCOMPAT_TRY(s, prepare(what, sql));
    return (*s)->execute(params);
  }
  // One statement's rows, streamed: however many there are, one is held.
  virtual Result<Rows> query(std::string_view what, std::string_view sql,
                             std::span<const Value> params) = 0;
  // Whether the last statement failed on a deadlock or a serialization
  // failure: the transaction may simply be run again.
  virtual bool retryable() const = 0;
};

}  // namespace lucompat::sql
