// Renderers for `lucompat check`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "lucompat/check/update_check.h"

namespace lucompat {

// Schema "lucompat.check/2", documented in docs/json-schema.md.
inline constexpr std::string_view kCheckSchema = "lucompat.check/2";

// The verdict in one line.
std::string summary_of(const CheckOutcome& outcome);
nlohmann::json check_json(const CheckOutcome& outcome);
// When no verdict could be reached: verdict "error" and the error.
nlohmann::json check_error_json(const Error& error, ExitCode code);
// `colour`: ANSI colours on the verdicts, for a terminal. A family that is
// compatible gets its own lines (what uses it, why it passes) only when
// `verbose`: when all is well the table and the verdict say it.
std::string check_text(const CheckOutcome& outcome, bool colour = false, bool verbose = false);
// The last line of check_text alone: the verdict, worst consequence first.
std::string check_verdict_line(const CheckOutcome& outcome, bool colour = false);

}  // namespace lucompat
