// The bash script: the command path is found by walking the words typed so
// far (skipping option values), then options, values and operands come from
// tables written out of the model.
#include <fmt/format.h>

#include "cli/completion_model.h"

namespace lucompat::cli {
namespace {

// A case pattern matching "PATH WORD" for each of `keys`.
std::string case_patterns(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : " | ") + fmt::format("\"{}\"", k);
  return out;
}

// What completes a value of `kind`, in bash, from $cur.
std::string reply(const CompletionOption& o, const CompletionModel& m) {
  const std::string extra =
      o.words.empty() || o.kind == ValueKind::words
          ? ""
          : fmt::format("$(compgen -W \"{}\" -- \"$cur\") ", join_words(o.words));
  switch (o.kind) {
    case ValueKind::file:
      return "COMPREPLY=(" + extra +
             "$(compgen -f -- \"$cur\")); compopt -o filenames 2>/dev/null; return";
    case ValueKind::dir:
      return "COMPREPLY=($(compgen -d -- \"$cur\")); compopt -o filenames 2>/dev/null; return";
    case ValueKind::pid:
      return "COMPREPLY=($(compgen -W \"$(cd /proc && compgen -G '[0-9]*')\" -- \"$cur\")); return";
    case ValueKind::process:
      return "COMPREPLY=($(compgen -W \"$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u)\" -- "
             "\"$cur\")); return";
    case ValueKind::profile:
      return "COMPREPLY=($(compgen -W \"$(sed -n 's/^name *= *\"\\(.*\\)\".*/\\1/p' "
             "/etc/lucompat/profiles.d/*.toml 2>/dev/null)\" -- \"$cur\")); return";
    case ValueKind::families:
      // Comma-separated: the last component is completed.
      return fmt::format(
          "COMPREPLY=($(compgen -P \"${{cur%\"${{cur##*,}}\"}}\" -W \"{}\" -- \"${{cur##*,}}\")); "
          "return",
          join_words(m.families));
    case ValueKind::family_value:
      return fmt::format(
          "COMPREPLY=($(compgen -S = -W \"{}\" -- \"$cur\")); compopt -o nospace 2>/dev/null; "
          "return",
          join_words(m.all_families));
    case ValueKind::command:
      return fmt::format("COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")); return",
                         join_words(m.commands.front().subcommands));
    case ValueKind::words:
      return fmt::format("COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")); return",
                         join_words(o.words));
    case ValueKind::none:
      return "return";
  }
  return "return";
}

std::string option_names(const CompletionCommand& c) {
  std::vector<std::string> names;
  for (const auto& o : c.options) names.insert(names.end(), o.names.begin(), o.names.end());
  return join_words(names);
}

}  // namespace

std::string bash_completion(const CompletionModel& m) {
  std::string values;  // "PATH OPTION") reply ;;
  for (const auto& c : m.commands)
    for (const auto& o : c.options) {
      if (!o.takes_value) continue;
      std::vector<std::string> keys;
      for (const auto& n : o.names) keys.push_back(c.path + " " + n);
      values += fmt::format("\t{}) {} ;;\n", case_patterns(keys), reply(o, m));
    }
  std::string commands, operands;
  for (const auto& c : m.commands) {
    commands += fmt::format("\t\"{}\") opts=\"{}\" ;;\n", c.path, option_names(c));
    std::string r = "COMPREPLY=()";
    if (!c.subcommands.empty()) {
      r = fmt::format("COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"))", join_words(c.subcommands));
    } else if (c.operands) {
      r = reply(*c.operands, m);
    }
    operands += fmt::format("\t\"{}\") {} ;;\n", c.path, r);
  }
  return fmt::format(
      R"SH(# bash completion for lucompat                            -*- shell-script -*-
# Written by `lucompat completions bash` from lucompat's own command line
# definition: regenerate it rather than editing it.

_lucompat()
{{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion -n = || return
	else
		cur=${{COMP_WORDS[COMP_CWORD]}}
		prev=${{COMP_WORDS[COMP_CWORD-1]}}
		words=("${{COMP_WORDS[@]}}")
		cword=$COMP_CWORD
	fi

	# The command path typed so far; an option's value is not a command.
	local path="" i
	for ((i = 1; i < cword; i++)); do
		case "$path ${{words[i-1]}}" in
		{valued}) continue ;;
		esac
		[[ ${{words[i]}} == -* ]] && continue
		case "${{path:+$path }}${{words[i]}}" in
		{paths}) path="${{path:+$path }}${{words[i]}}" ;;
		esac
	done

	case "$path $prev" in
{values}	esac

	local opts
	case $path in
{commands}	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	case $path in
{operands}	esac
}} &&
	complete -F _lucompat lucompat
)SH",
      fmt::arg("valued", case_patterns(options_with_values(m))),
      fmt::arg("paths", case_patterns(command_paths(m))), fmt::arg("values", values),
      fmt::arg("commands", commands), fmt::arg("operands", operands));
}

}  // namespace lucompat::cli
