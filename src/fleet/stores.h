// The backends behind open_store, one file each, and what they share: the
// order of collected_at in SQL, and checked readings of stored values.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lucompat/fleet/store.h"

namespace lucompat {

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, StoreAccess access);
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url);

// An SQL expression (SQLite and PostgreSQL alike) over a collected_at column
// whose text order is the instants' order: the fraction padded to nine
// digits, so "...:00.5Z" sorts after "...:00Z". Stored text stays as sent.
std::string time_order_sql(std::string_view column);

// The error of a Result, or null: for checking several readings at once.
template <typename T>
const Error* error_of(const Result<T>& r) {
  return r ? nullptr : &r.error();
}

// A store's rows may have been edited by hand or by another program: every
// value is checked, and a bad one is bad input (exit 3), never a crash.
class StoredValues {
 public:
  explicit StoredValues(std::string store) : store_(std::move(store)) {}

  // "corrupt store: WHAT: PROBLEM".
  Error corrupt(const std::string& what, const std::string& problem) const;
  Result<int64_t> integer(std::string_view text, const std::string& what) const;
  Result<std::vector<std::string>> strings(std::string_view text, const std::string& what) const;
  // A JSON object of strings (pins, labels): the text itself when it is one.
  Result<std::string> string_object(std::string_view text, const std::string& what) const;
  Result<UtcTime> time(std::string_view text, const std::string& what) const;

 private:
  std::string store_;
};

}  // namespace lucompat
