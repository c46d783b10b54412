#include "cli/usage_error.h"

#include <fmt/format.h>

namespace lucompat::cli {
namespace {

// The subcommand the command line reached: "lucompat fleet status" -> status.
const CLI::App* deepest(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands())
    if (sub->parsed()) return deepest(*sub);
  return &app;
}

std::string path_of(const CLI::App* app) {
  std::string out;
  for (; app != nullptr; app = app->get_parent())
    out = out.empty() ? app->get_name() : fmt::format("{} {}", app->get_name(), out);
  return out;
}

std::string commands_of(const CLI::App& app) {
  std::string out;
  for (const CLI::App* sub : app.get_subcommands({}))
    out += (out.empty() ? "" : ", ") + sub->get_name();
  return out;
}

std::string one_line(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

}  // namespace

std::string usage_message(const CLI::App& app, const CLI::ParseError& e) {
  const CLI::App* at = deepest(app);
  const std::string where = path_of(at);
  const std::string help = fmt::format(" (see '{} --help')", where);
  // CLI11 reads every argument before it checks requirements, so what it
  // could not place is known even when its first complaint is another one.
  const std::vector<std::string> left = at->remaining();
  if (!left.empty()) {
    const std::string& first = left.front();
    if (first.starts_with("-")) return fmt::format("unknown option {}{}", first, help);
    if (!at->get_subcommands({}).empty())
      return fmt::format("unknown command '{}' (commands of {}: {})", first, where,
                         commands_of(*at));
    return fmt::format("unexpected argument '{}'{}", first, help);
  }
  if (!at->get_subcommands({}).empty() && at->get_subcommands().empty())
    return fmt::format("'{}' needs a command: one of {}", where, commands_of(*at));
  return one_line(e.what()) + help;
}

}  // namespace lucompat::cli
