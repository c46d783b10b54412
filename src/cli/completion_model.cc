#include "cli/completion_model.h"

#include "cli/help_formatter.h"
#include "lucompat/catalog/catalog.h"

namespace lucompat::cli {
namespace {

std::vector<std::string> split(std::string_view s, char by) {
  std::vector<std::string> out;
  for (size_t at = 0;;) {
    const size_t end = s.find(by, at);
    out.emplace_back(s.substr(at, end - at));
    if (end == std::string_view::npos) return out;
    at = end + 1;
  }
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

CompletionOption option_of(const CLI::Option& o) {
  CompletionOption c;
  for (const auto& s : o.get_snames()) c.names.push_back("-" + s);
  for (const auto& l : o.get_lnames()) c.names.push_back("--" + l);
  c.description = first_line(o.get_description());
  c.takes_value = o.get_expected_max() > 0;  // a flag expects no value
  c.repeats =
      o.get_expected_max() > 1 || o.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
  if (!c.takes_value) return c;
  const std::string type = o.get_type_name();
  // A validator's member list ({shell,systemd}) is the set of values.
  const size_t members = type.find(":{");
  if (members != std::string::npos) {
    c.kind = ValueKind::words;
    c.words = split(argument_name(type), '|');
    return c;
  }
  c.kind = value_kind(type);
  if (type.starts_with("running|")) c.words = {"running"};
  return c;
}

void add_command(const CLI::App& app, const std::string& path, CompletionModel& m) {
  CompletionCommand c;
  c.path = path;
  c.description = first_line(app.get_description());
  for (const CLI::Option* o : app.get_options({})) {
    if (o->get_positional()) {
      c.operands = option_of(*o);
      c.operands->names.clear();
    } else {
      c.options.push_back(option_of(*o));
    }
  }
  std::vector<const CLI::App*> subs;
  for (const CLI::App* sub : app.get_subcommands({})) {
    c.subcommands.push_back(sub->get_name());
    subs.push_back(sub);
  }
  m.commands.push_back(std::move(c));
  for (const CLI::App* sub : subs)
    add_command(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), m);
}

}  // namespace

ValueKind value_kind(std::string_view type_name) {
  std::string_view base = type_name.substr(0, type_name.find(':'));
  if (base.ends_with("...")) base.remove_suffix(3);
  if (base == "DIR") return ValueKind::dir;
  if (base.find("PATH") != std::string_view::npos || base.find("FILE") != std::string_view::npos ||
      base == "IMAGE")
    return ValueKind::file;
  if (base == "PID") return ValueKind::pid;
  if (base == "PROCESS") return ValueKind::process;
  if (base == "PROFILE") return ValueKind::profile;
  if (base == "FAMILIES") return ValueKind::families;
  if (base == "FAMILY=STRING") return ValueKind::family_value;
  if (base == "COMMAND") return ValueKind::command;
  return ValueKind::none;
}

std::vector<std::string> command_paths(const CompletionModel& m) {
  std::vector<std::string> out;
  for (const auto& c : m.commands)
    if (!c.path.empty()) out.push_back(c.path);
  return out;
}

std::vector<std::string> options_with_values(const CompletionModel& m) {
  std::vector<std::string> out;
  for (const auto& c : m.commands)
    for (const auto& o : c.options)
      if (o.takes_value)
        for (const auto& n : o.names) out.push_back(c.path + " " + n);
  return out;
}

std::string join_words(const std::vector<std::string>& words, std::string_view suffix) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w + std::string(suffix);
  return out;
}

CompletionModel completion_model(const CLI::App& app) {
  CompletionModel m;
  add_command(app, "", m);
  // The shipped catalog's families: a site's own catalog is read at check
  // time, but a completion script is written once.
  Catalog catalog;
  if (catalog.add(builtin_catalog(), "built-in catalog")) {
    for (const Family& f : catalog.families()) {
      m.all_families.push_back(f.name);
      if (f.cls != FamilyClass::core) m.families.push_back(f.name);
    }
  }
  return m;
}

}  // namespace lucompat::cli
