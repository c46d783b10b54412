// What a shell completes for lucompat, read from the command line definition
// itself: every command, option and fixed set of values the parser accepts,
// so that the bash, zsh and fish scripts cannot drift from it. What kind of
// value an option takes comes from its type name (PATH, DIR, PID, PROFILE,
// FAMILIES, ...) and from the set a validator accepts ({shell,systemd}).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lucompat::cli {

enum class ValueKind {
  none,          // a number, a URL, a command line: nothing to offer
  file,          // an image, a package, a TOML file
  dir,           // a module tree, a root
  pid,           // a running process
  process,       // a process name (its /proc/PID/comm)
  profile,       // a profile installed on this host
  families,      // families in use, comma-separated
  family_value,  // FAMILY=STRING
  command,       // one of lucompat's commands
  words,         // only the listed words
};

struct CompletionOption {
  std::vector<std::string> names;  // "-j", "--jobs"; empty for operands
  std::string description;         // its first line
  bool takes_value = false;
  bool repeats = false;
  ValueKind kind = ValueKind::none;
  std::vector<std::string> words;  // the accepted values (words), or extra ones (running)
};

struct CompletionCommand {
  std::string path;  // "" for lucompat itself, "check", "profile env"
  std::string description;
  std::vector<std::string> subcommands;
  std::vector<CompletionOption> options;
  std::optional<CompletionOption> operands;
};

struct CompletionModel {
  std::vector<CompletionCommand> commands;  // lucompat itself first, then depth first
  std::vector<std::string> families;        // what --uses takes: every family but the core
  std::vector<std::string> all_families;    // what --emit takes
};

// The value kind of a type name such as "DIR" or "running|PATH".
ValueKind value_kind(std::string_view type_name);
CompletionModel completion_model(const CLI::App& app);

// What a script walks to find the command typed so far: every command path
// ("check", "profile env") and every "PATH OPTION" whose option takes a
// value (the next word is that value, not a command).
std::vector<std::string> command_paths(const CompletionModel& m);
std::vector<std::string> options_with_values(const CompletionModel& m);
// The words joined by spaces, each followed by `suffix`.
std::string join_words(const std::vector<std::string>& words, std::string_view suffix = "");

std::string bash_completion(const CompletionModel& m);
std::string zsh_completion(const CompletionModel& m);
std::string fish_completion(const CompletionModel& m);

}  // namespace lucompat::cli
