#include "cli/help_formatter.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <vector>

#include "lucompat/base/text_fill.h"

namespace lucompat::cli {
namespace {

// Where descriptions start: wide enough for "  --max-zstd-window SIZE".
constexpr size_t kColumn = 30;

// A name column and a text beside it, the text wrapped to the help's width.
std::string two_columns(std::string left, std::string_view text) {
  std::string out = std::move(left);
  const std::vector<std::string> lines = fill_words(text, kHelpWidth - kColumn);
  if (lines.empty()) return out + "\n";
  if (out.size() + 2 > kColumn)
    out += "\n" + std::string(kColumn, ' ');
  else
    out.resize(kColumn, ' ');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i != 0) out += "\n" + std::string(kColumn, ' ');
    out += lines[i];
  }
  return out + "\n";
}

std::string display_name(const CLI::Option* opt) {
  if (!opt->get_positional()) return opt->get_name();
  const bool many = opt->get_expected_max() == CLI::detail::expected_max_vector_size;
  return argument_name(opt->get_type_name()) + (many ? "..." : "");
}

}  // namespace

std::string argument_name(std::string_view type_name) {
  const size_t colon = type_name.find(':');
  if (colon == std::string_view::npos) return std::string(type_name);
  const std::string_view after = type_name.substr(colon + 1);
  // A member list is what the operator needs to know; any other validator's
  // description (ranges, unit tables) is CLI11's, not ours.
  if (after.starts_with('{') && after.ends_with('}')) {
    std::string values(after.substr(1, after.size() - 2));
    std::replace(values.begin(), values.end(), ',', '|');
    return values;
  }
  return std::string(type_name.substr(0, colon));
}

HelpFormatter::HelpFormatter() { column_width(kColumn); }

std::string HelpFormatter::make_option(const CLI::Option* opt, bool is_positional) const {
  return two_columns("  " + make_option_name(opt, is_positional) + make_option_opts(opt),
                     make_option_desc(opt));
}

std::string HelpFormatter::make_option_opts(const CLI::Option* opt) const {
  if (!opt->get_option_text().empty()) return " " + opt->get_option_text();
  if (opt->get_type_size() == 0) return "";
  std::string arg = argument_name(opt->get_type_name());
  if (arg.empty()) return "";
  if (opt->get_expected_max() == CLI::detail::expected_max_vector_size && !arg.ends_with("..."))
    arg += "...";
  if (!opt->get_default_str().empty()) arg += "=" + opt->get_default_str();
  return " " + arg;
}

std::string HelpFormatter::make_option_desc(const CLI::Option* opt) const {
  std::string out = opt->get_description();
  // What CLI11 enforces, said once: a description that names the other
  // option already says it.
  const auto note = [&out](std::string_view how, const std::set<CLI::Option*>& others) {
    std::string names;
    for (const CLI::Option* o : others)
      if (const std::string n = display_name(o);
          out.find(n.substr(0, n.find("..."))) == std::string::npos)
        names += (names.empty() ? "" : ", ") + n;
    if (!names.empty()) out += fmt::format(" ({} {})", how, names);
  };
  if (opt->get_required() && !opt->get_positional()) out += " (required)";
  note("only with", opt->get_needs());
  note("not with", opt->get_excludes());
  return out;
}

std::string HelpFormatter::make_subcommand(const CLI::App* sub) const {
  return two_columns("  " + sub->get_display_name(true), sub->get_description());
}

std::string HelpFormatter::make_description(const CLI::App* app) const {
  return fit_text(CLI::Formatter::make_description(app), kHelpWidth);
}

std::string HelpFormatter::make_footer(const CLI::App* app) const {
  return fit_text(CLI::Formatter::make_footer(app), kHelpWidth);
}

std::string HelpFormatter::make_usage(const CLI::App* app, std::string name) const {
  return fit_text(CLI::Formatter::make_usage(app, std::move(name)), kHelpWidth);
}

}  // namespace lucompat::cli
