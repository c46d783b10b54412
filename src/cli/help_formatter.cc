#include "cli/help_formatter.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <vector>

namespace lucompat::cli {
namespace {

// Where descriptions start: wide enough for "  --max-zstd-window SIZE".
constexpr size_t kColumn = 30;

size_t indentation(std::string_view line) {
  const size_t n = line.find_first_not_of(' ');
  return n == std::string_view::npos ? 0 : n;
}

std::vector<std::string_view> words_of(std::string_view text) {
  std::vector<std::string_view> out;
  size_t at = 0;
  while (at < text.size()) {
    const size_t start = text.find_first_not_of(' ', at);
    if (start == std::string_view::npos) break;
    const size_t end = std::min(text.find(' ', start), text.size());
    out.push_back(text.substr(start, end - start));
    at = end;
  }
  return out;
}

// `text` filled into lines of at most `width` columns; a word longer than
// that (a path, a URL) has a line of its own rather than being cut.
std::vector<std::string> fill(std::string_view text, size_t width) {
  std::vector<std::string> lines;
  for (std::string_view word : words_of(text)) {
    if (!lines.empty() && lines.back().size() + 1 + word.size() <= width) {
      lines.back() += ' ';
      lines.back() += word;
    } else {
      lines.emplace_back(word);
    }
  }
  return lines;
}

// A name column and a text beside it, the text wrapped to the help's width.
std::string two_columns(std::string left, std::string_view text) {
  std::string out = std::move(left);
  const std::vector<std::string> lines = fill(text, kHelpWidth - kColumn);
  if (lines.empty()) return out + "\n";
  if (out.size() + 2 > kColumn) out += "\n" + std::string(kColumn, ' ');
  else out.resize(kColumn, ' ');
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

std::string wrap_lines(std::string_view text, size_t width) {
  // Lines as written, with a paragraph's unindented lines joined: it is
  // refilled as one, not broken where an 80-column editor broke it.
  std::vector<std::string> lines;
  bool in_paragraph = false;
  for (size_t at = 0; at <= text.size();) {
    const size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line = text.substr(at, end - at);
    const bool prose = !line.empty() && line.front() != ' ';
    if (prose && in_paragraph) lines.back() += " " + std::string(line);
    else lines.emplace_back(line);
    in_paragraph = prose;
    at = end + 1;
  }
  std::string out;
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string& line = lines[n];
    if (n != 0) out += '\n';
    if (line.size() <= width) {
      out += line;
      continue;
    }
    // The first line keeps its spacing (a list's aligned columns); the rest
    // is refilled below it.
    const size_t indent = indentation(line);
    const size_t cut = line.rfind(' ', width);
    if (cut == std::string::npos || cut <= indent) {
      out += line;
      continue;
    }
    out += std::string_view(line).substr(0, line.find_last_not_of(' ', cut) + 1);
    const size_t more = indent == 0 ? 0 : indent + 2;
    for (const std::string& l : fill(std::string_view(line).substr(cut + 1), width - more))
      out += "\n" + std::string(more, ' ') + l;
  }
  return out;
}

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
      if (const std::string n = display_name(o); out.find(n.substr(0, n.find("..."))) == std::string::npos)
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
  return wrap_lines(CLI::Formatter::make_description(app), kHelpWidth);
}

std::string HelpFormatter::make_footer(const CLI::App* app) const {
  return wrap_lines(CLI::Formatter::make_footer(app), kHelpWidth);
}

std::string HelpFormatter::make_usage(const CLI::App* app, std::string name) const {
  return wrap_lines(CLI::Formatter::make_usage(app, std::move(name)), kHelpWidth);
}

}  // namespace lucompat::cli
