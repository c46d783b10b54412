// The subcommands of the lucompat tool. Each registers itself on the parser;
// its callback runs the command and stores the exit code in `result`.
#pragma once

#include <CLI/CLI.hpp>

#include "lucompat/base/error.h"

namespace lucompat::cli {

void add_inspect_command(CLI::App& app, ExitCode& result);
void add_check_command(CLI::App& app, ExitCode& result);
void add_profile_command(CLI::App& app, ExitCode& result);
void add_report_command(CLI::App& app, ExitCode& result);
void add_fleet_command(CLI::App& app, ExitCode& result);
void add_symbols_command(CLI::App& app, ExitCode& result);
void add_kexec_command(CLI::App& app, ExitCode& result);

}  // namespace lucompat::cli
