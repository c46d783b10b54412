// The policy's reasons and verdicts in words, and as JSON: the one place
// they are worded, so the text reports, the JSON and the C API agree.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lucompat/policy/check.h"
#include "lucompat/policy/profile.h"

namespace lucompat {

// One sentence, without a final stop: "the running kernel writes memfd-v1
// but the next kernel reads only memfd-v2; the preserved files would be lost".
std::string describe(const Reason& reason);
std::vector<std::string> describe(const std::vector<Reason>& reasons);
// A profile's optional string that will not carry over.
std::string describe_warning(const Reason& reason);

// {"code": "not_read", "family": ..., ...}: the code and the values it has,
// none empty.
nlohmann::json reason_json(const Reason& reason);
nlohmann::json reasons_json(const std::vector<Reason>& reasons);

// The verdict of a check in one line: "INCOMPATIBLE: 1 of 2 families in use
// cannot be restored by the next kernel".
std::string check_summary(const CheckReport& report);
// "selected 2026.03", or why none was.
std::string selection_summary(const Selection& selection);

}  // namespace lucompat
