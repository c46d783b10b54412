// lucompat: will the next kernel restore what this one hands over at kexec?
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "cli/colour.h"
#include "cli/commands.h"
#include "cli/help_formatter.h"
#include "cli/usage_error.h"

namespace {

constexpr const char* kDescription =
    "lucompat tells, before a kexec live update, whether the next kernel can restore every\n"
    "file the running kernel's Live Update Orchestrator (LUO) will hand over. It reads the\n"
    "compatible strings each kernel registers (or a .liveupdate_versions table), crosses the\n"
    "two kernels under the operator's policy and profiles, and loads the next kernel only\n"
    "after a compatible verdict.\n\n"
    "Exit codes (the same for every command):\n"
    "  0   success\n"
    "  1   verdict: incompatible\n"
    "  2   usage error\n"
    "  3   an input is unreadable, malformed or of an unsupported format\n"
    "  4   undecided: inputs were read but something needed is missing or unreadable\n"
    "  70  internal error (a bug in lucompat)\n";

// EX_SOFTWARE from sysexits.h: distinct from every verdict.
constexpr int kInternalError = 70;

int run(int argc, char** argv) {
  using lucompat::ExitCode;
  CLI::App app{kDescription, "lucompat"};
  app.set_version_flag("--version", std::string("lucompat ") + LUCOMPAT_VERSION);
  app.require_subcommand(1);
  app.footer("Run 'lucompat help COMMAND' (or 'lucompat COMMAND --help') for one command.");
  // Set before the commands are added: each takes its parent's formatter.
  app.formatter(std::make_shared<lucompat::cli::HelpFormatter>());

  ExitCode result = ExitCode::ok;
  lucompat::cli::add_inspect_command(app, result);
  lucompat::cli::add_check_command(app, result);
  lucompat::cli::add_profile_command(app, result);
  lucompat::cli::add_report_command(app, result);
  lucompat::cli::add_fleet_command(app, result);
  lucompat::cli::add_symbols_command(app, result);
  lucompat::cli::add_kexec_command(app, result);
  lucompat::cli::add_help_command(app, result);
  lucompat::cli::add_completions_command(app, result);
  lucompat::cli::add_colour_option(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    if (lucompat::cli::kexec_gate_given(app)) return lucompat::cli::refuse_for_gate("--help");
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    if (lucompat::cli::kexec_gate_given(app)) return lucompat::cli::refuse_for_gate("--help");
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "lucompat: %s\n", lucompat::cli::usage_message(app, e).c_str());
    return static_cast<int>(ExitCode::usage);
  }
  return static_cast<int>(result);
}

}  // namespace

// Anything thrown, in setting up the commands too, is a bug: one line and 70.
int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lucompat: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "lucompat: internal error: an exception of unknown type\n");
  }
  return kInternalError;
}
