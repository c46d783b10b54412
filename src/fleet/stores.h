// The backends behind open_store, one file each.
#pragma once

#include <memory>
#include <string>

#include "lucompat/fleet/store.h"

namespace lucompat {

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path);
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url);

}  // namespace lucompat
