// The backends behind open_store, one file each, and what the core gives
// them: the schema, brought to this lucompat's version or checked to be it.
#pragma once

#include <memory>
#include <string>

#include "fleet/sql.h"
#include "lucompat/fleet/store.h"

namespace lucompat {

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, StoreAccess access);
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url);

// The SQLite database under a store, configured, its schema as it is; read
// only when this user cannot write it, for a query.
struct SqliteDatabase {
  std::unique_ptr<sql::Connection> connection;
  bool writable = false;
};
Result<SqliteDatabase> connect_sqlite(const std::string& path, StoreAccess access);

// The error of a Result, or null: for checking several readings at once.
template <typename T>
const Error* error_of(const Result<T>& r) {
  return r ? nullptr : &r.error();
}

// Applies the migrations the store lacks, in one transaction.
Result<void> migrate(sql::Connection& db);
// For a store this user may read but not write: nothing can be migrated, so
// its schema must be current.
Result<void> check_schema(sql::Connection& db);

}  // namespace lucompat
