// A command line CLI11 could not parse, said as one "lucompat:" line that
// names the mistake (an unknown command or option first: that is what a typo
// makes, whatever CLI11 noticed first).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace lucompat::cli {

std::string usage_message(const CLI::App& app, const CLI::ParseError& e);

}  // namespace lucompat::cli
