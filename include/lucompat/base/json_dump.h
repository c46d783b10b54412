// Every JSON document lucompat writes, to stdout or to a store, is dumped
// here: nlohmann's writer throws on a string that is not UTF-8 (a module's
// .modinfo, /proc/version, a file name), and a command that had read
// everything ended with exit 70 and no output. Strings and keys that are not
// UTF-8 are written as json_text() (base/printable.h) gives them.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "lucompat/base/error.h"

namespace lucompat {

// nlohmann's dump(indent): -1 compact, else pretty with that indent.
std::string dump_json(const nlohmann::json& doc, int indent = -1);

// A kernel address or another u64 that may exceed 2^53 (a session token), as
// "0xffffffff81a36cc0": jq and JavaScript read JSON numbers as doubles, and
// two handlers 8 bytes apart would compare equal.
nlohmann::json hex_json(uint64_t value);

// The one error object of every command's JSON: {kind, input, offset,
// context, message, text}, so that a consumer reads any command's error alike.
nlohmann::json error_json(const Error& error);

}  // namespace lucompat
