// Every JSON document lucompat writes, to stdout or to a store, is dumped
// here: nlohmann's writer throws on a string that is not UTF-8 (a module's
// .modinfo, /proc/version, a file name), and a command that had read
// everything ended with exit 70 and no output. Strings and keys that are not
// UTF-8 are written as json_text() (base/printable.h) gives them.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace lucompat {

// nlohmann's dump(indent): -1 compact, else pretty with that indent.
std::string dump_json(const nlohmann::json& doc, int indent = -1);

}  // namespace lucompat
