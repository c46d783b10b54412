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
void add_help_command(CLI::App& app, ExitCode& result);
void add_completions_command(CLI::App& app, ExitCode& result);

// Whether `lucompat kexec --gate` was parsed: help must then not print and
// exit 0, which lucompat-kexec-gate would take for a load. Asked once the
// whole command line is read (CLI11 handles help after every argument).
bool kexec_gate_given(const CLI::App& app);
// The one line and exit 2 that refuse, under --gate, what `flag` does.
int refuse_for_gate(std::string_view flag);

}  // namespace lucompat::cli
