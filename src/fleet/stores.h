// The backends behind open_store, one file each, and what the core gives
// them: the schema, brought to this lucompat's version or checked to be it.
#pragma once

#include <memory>
#include <string>

#include "fleet/sql.h"
#include "lucompat/fleet/store.h"

namespace lucompat {

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, StoreAccess access);
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url, StoreAccess access);
// store_name() of a URL that is not SQLite's: as libpq parses it, each
// option libpq marks secret masked.
std::string postgres_store_name(const std::string& url);

// The SQLite database under a store, configured, its schema as it is; read
// only when this user cannot write it, for a query.
Result<std::unique_ptr<sql::Connection>> connect_sqlite(const std::string& path,
                                                        StoreAccess access);

// The error of a Result, or null: for checking several readings at once.
template <typename T>
const Error* error_of(const Result<T>& r) {
  return r ? nullptr : &r.error();
}

// Applies the migrations the store lacks, in one transaction: for ingest,
// which alone creates and migrates a store.
Result<void> migrate(sql::Connection& db);
// For a query, which writes nothing (a mistyped or empty file stays as it
// was): the store's schema must be current.
Result<void> check_schema(sql::Connection& db);

}  // namespace lucompat
