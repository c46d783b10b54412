// The zsh script: the command path is found by walking the words typed so
// far, then _arguments gets that command's options and operands, with their
// descriptions, written out of the model.
#include <fmt/format.h>

#include "cli/completion_model.h"

namespace lucompat::cli {
namespace {

// A description as _arguments reads it inside single quotes: no quote,
// bracket, colon or backslash of its own.
std::string plain(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '[' || c == '(') {
      out += '(';
    } else if (c == ']' || c == ')') {
      out += ')';
    } else if (c == '\'' || c == '"' || c == '`' || c == '$') {
      continue;
    } else if (c == ':' || c == '\\') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string action(const CompletionOption& o, const CompletionModel& m) {
  switch (o.kind) {
    case ValueKind::file:
      return o.words.empty() ? "_files"
                             : fmt::format("{{compadd {}; _files}}", join_words(o.words));
    case ValueKind::dir:
      return "_files -/";
    case ValueKind::pid:
      return "_pids";
    case ValueKind::process:
      return "_process_names";
    case ValueKind::profile:
      return "_lucompat_profiles";
    case ValueKind::families:
      return "_sequence compadd - " + join_words(m.families);
    case ValueKind::family_value:
      return "compadd -S= - " + join_words(m.all_families);
    case ValueKind::command:
      return "(" + join_words(m.commands.front().subcommands) + ")";
    case ValueKind::words:
      return "(" + join_words(o.words) + ")";
    case ValueKind::none:
      return " ";
  }
  return " ";
}

std::string specs(const CompletionCommand& c, const CompletionModel& m) {
  std::string out;
  for (const auto& o : c.options)
    for (const auto& n : o.names) {
      out += fmt::format(" \\\n\t\t'{}{}{}[{}]", o.repeats ? "*" : "", n, o.takes_value ? "=" : "",
                         plain(o.description));
      if (o.takes_value) out += fmt::format(":value:{}", action(o, m));
      out += "'";
    }
  if (!c.subcommands.empty()) {
    std::string described;
    for (const auto& name : c.subcommands) {
      const std::string path = c.path.empty() ? name : c.path + " " + name;
      for (const auto& sub : m.commands)
        if (sub.path == path)
          described += fmt::format(" {}\\:\"{}\"", name, plain(sub.description));
    }
    out += fmt::format(" \\\n\t\t'1:command:(({} ))'", described);
  } else if (c.operands) {
    out += fmt::format(" \\\n\t\t'{}:{}:{}'", c.operands->repeats ? "*" : "", "operand",
                       action(*c.operands, m));
  }
  return out;
}

std::string alternatives(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : "|") + fmt::format("\"{}\"", k);
  return out;
}

}  // namespace

std::string zsh_completion(const CompletionModel& m) {
  std::string commands;
  for (const auto& c : m.commands)
    commands += fmt::format("\t(\"{}\")\n\t\t_arguments -s{} ;;\n", c.path, specs(c, m));
  return fmt::format(R"SH(#compdef lucompat
# zsh completion for lucompat. Written by `lucompat completions zsh` from
# lucompat's own command line definition: regenerate it rather than editing it.

_lucompat_profiles() {{
	local -a profiles
	profiles=(${{(f)"$(sed -n 's/^name *= *"\(.*\)".*/\1/p' /etc/lucompat/profiles.d/*.toml 2>/dev/null)"}})
	compadd -a profiles
}}

_lucompat() {{
	# The command path typed so far; an option's value is not a command.
	local cmdpath="" i first=1
	for ((i = 2; i < CURRENT; i++)); do
		case "$cmdpath ${{words[i-1]}}" in
		({valued}) continue ;;
		esac
		[[ ${{words[i]}} == -* ]] && continue
		case "${{cmdpath:+$cmdpath }}${{words[i]}}" in
		({paths}) cmdpath="${{cmdpath:+$cmdpath }}${{words[i]}}"; first=$i ;;
		esac
	done
	# _arguments reads the words after the command's name.
	words=(lucompat "${{(@)words[first+1,-1]}}")
	(( CURRENT -= first - 1 ))
	case $cmdpath in
{commands}	esac
}}

_lucompat "$@"
)SH",
                     fmt::arg("valued", alternatives(options_with_values(m))),
                     fmt::arg("paths", alternatives(command_paths(m))),
                     fmt::arg("commands", commands));
}

}  // namespace lucompat::cli
