// The fish script: one `complete` line per subcommand and option, guarded by
// the command path fish has seen, written out of the model.
#include <fmt/format.h>

#include "cli/completion_model.h"

namespace lucompat::cli {
namespace {

// A single-quoted fish string.
std::string fish_quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

// True when fish's command line is at `c` and no further: every word of
// its path seen, none of its subcommands.
std::string condition(const CompletionCommand& c) {
  if (c.path.empty()) return "__fish_use_subcommand";
  std::string out;
  size_t at = 0;
  for (;;) {
    const size_t end = c.path.find(' ', at);
    out += (out.empty() ? "" : "; and ") +
           fmt::format("__fish_seen_subcommand_from {}", c.path.substr(at, end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  if (!c.subcommands.empty())
    out += "; and not __fish_seen_subcommand_from " + join_words(c.subcommands);
  return out;
}

std::string values(const CompletionOption& o, const CompletionModel& m) {
  switch (o.kind) {
    case ValueKind::file:
      return o.words.empty() ? " -r -F" : " -r -F -a " + fish_quoted(join_words(o.words));
    case ValueKind::dir:
      return " -r -f -a '(__fish_complete_directories)'";
    case ValueKind::pid:
      return " -r -f -a '(__fish_complete_pids)'";
    case ValueKind::process:
      return " -r -f -a '(__fish_complete_proc)'";
    case ValueKind::profile:
      return " -r -f -a '(__lucompat_profiles)'";
    case ValueKind::families:
      return " -r -f -a '(__fish_complete_list , __lucompat_families)'";
    case ValueKind::family_value:
      return " -r -f -a " + fish_quoted(join_words(m.all_families, "="));
    case ValueKind::command:
      return " -r -f -a " + fish_quoted(join_words(m.commands.front().subcommands));
    case ValueKind::words:
      return " -r -f -a " + fish_quoted(join_words(o.words));
    case ValueKind::none:
      return " -r -f";
  }
  return " -r -f";
}

}  // namespace

std::string fish_completion(const CompletionModel& m) {
  std::string out =
      fmt::format(R"SH(# fish completion for lucompat. Written by `lucompat completions fish` from
# lucompat's own command line definition: regenerate it rather than editing it.

function __lucompat_profiles
    sed -n 's/^name *= *"\(.*\)".*/\1/p' /etc/lucompat/profiles.d/*.toml 2>/dev/null
end

function __lucompat_families
    printf '%s\n' {}
end

complete -c lucompat -e
)SH",
                  join_words(m.families));
  for (const auto& c : m.commands) {
    const std::string when = fish_quoted(condition(c));
    for (const auto& name : c.subcommands) {
      const std::string path = c.path.empty() ? name : c.path + " " + name;
      std::string description;
      for (const auto& sub : m.commands)
        if (sub.path == path) description = sub.description;
      out += fmt::format("complete -c lucompat -f -n {} -a {} -d {}\n", when, name,
                         fish_quoted(description));
    }
    for (const auto& o : c.options) {
      std::string names;
      for (const auto& n : o.names)
        names += n.starts_with("--") ? " -l " + n.substr(2) : " -s " + n.substr(1);
      out += fmt::format("complete -c lucompat -n {}{}{} -d {}\n", when, names,
                         o.takes_value ? values(o, m) : "", fish_quoted(o.description));
    }
    // Operands: files unless the command takes something else, or nothing.
    if (c.subcommands.empty() && (!c.operands || c.operands->kind != ValueKind::file)) {
      std::string what = " -f";
      if (c.operands && c.operands->kind != ValueKind::none) {
        what = values(*c.operands, m);
        what = what.substr(what.find(" -f"));
      }
      out += fmt::format("complete -c lucompat -n {}{}\n", when, what);
    }
  }
  return out;
}

}  // namespace lucompat::cli
