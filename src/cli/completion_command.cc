// lucompat completions bash|zsh|fish: the completion script for a shell,
// written from the command line definition it completes.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/completion_model.h"

namespace lucompat::cli {

void add_completions_command(CLI::App& app, ExitCode& result) {
  auto shell = std::make_shared<std::string>();
  CLI::App* sub =
      app.add_subcommand("completions", "Print the shell completion script for bash, zsh or fish");
  sub->add_option("shell", *shell, "The shell")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}))
      ->type_name("SHELL");
  sub->footer(
      "Packages install the scripts where each shell looks for them. By hand:\n"
      "  lucompat completions bash > /etc/bash_completion.d/lucompat\n"
      "  lucompat completions zsh > \"${fpath[1]}/_lucompat\"\n"
      "  lucompat completions fish > ~/.config/fish/completions/lucompat.fish");
  sub->callback([&app, shell, &result] {
    const CompletionModel m = completion_model(app);
    const std::string script = *shell == "bash"  ? bash_completion(m)
                               : *shell == "zsh" ? zsh_completion(m)
                                                 : fish_completion(m);
    std::fputs(script.c_str(), stdout);
    result = ExitCode::ok;
  });
}

}  // namespace lucompat::cli
