// Checks of flag values that CLI11 does not make itself, so a wrong value is
// a usage error (exit 2) before anything is read.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace lucompat::cli {

// A count or a size: it starts with a digit and has no sign. CLI11 would
// otherwise read "-5" into an unsigned cap as 2^64-5 and so disable it.
const CLI::Validator& unsigned_value();

// Process ids, several to a value ("12 34" or "12,34", as pidof prints
// them): each a whole number from 1 to the kernel's PID_MAX_LIMIT.
const CLI::Validator& pid_list();

// Any value but an empty one ("--process ''" names nothing).
const CLI::Validator& non_empty();

// The pids of values that passed pid_list().
std::vector<int> split_pids(const std::vector<std::string>& values);

}  // namespace lucompat::cli
