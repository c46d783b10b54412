// lucompat help [COMMAND...]: a command's --help, as git and systemctl offer it.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "lucompat/base/printable.h"

namespace lucompat::cli {
namespace {

std::string command_names(const CLI::App& app) {
  std::string out;
  for (const CLI::App* sub : app.get_subcommands({}))
    if (sub->get_name() != "help") out += (out.empty() ? "" : ", ") + sub->get_name();
  return out;
}

ExitCode print_help(const CLI::App& root, const std::vector<std::string>& names) {
  const CLI::App* target = &root;
  std::string name = root.get_name();
  for (const std::string& n : names) {
    const CLI::App* sub = nullptr;
    for (const CLI::App* s : target->get_subcommands({}))
      if (s->check_name(n)) sub = s;
    if (sub == nullptr) {
      std::fprintf(stderr, "lucompat: help: '%s' has no command '%s' (its commands: %s)\n",
                   name.c_str(), printable(n).c_str(), command_names(*target).c_str());
      return ExitCode::usage;
    }
    target = sub;
    name += " " + target->get_name();
  }
  // The formatter, not App::help: the root's help would follow the command
  // that was parsed, which is this one.
  std::fputs(target->get_formatter()->make_help(target, name, CLI::AppFormatMode::Normal).c_str(),
             stdout);
  return ExitCode::ok;
}

}  // namespace

void add_help_command(CLI::App& app, ExitCode& result) {
  auto names = std::make_shared<std::vector<std::string>>();
  CLI::App* sub = app.add_subcommand("help", "Show a command's help: lucompat help check");
  sub->add_option("command", *names, "The command, and its subcommand (profile env)")
      ->type_name("COMMAND");
  sub->callback([&app, names, &result] { result = print_help(app, *names); });
}

}  // namespace lucompat::cli
