// Help as an operator reads it in an 80-column terminal: option arguments
// named by what they are (FILE, N, auto|always|never), never by CLI11's
// validator descriptions, and every line wrapped to fit.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

namespace lucompat::cli {

inline constexpr size_t kHelpWidth = 80;

// An option's argument as help shows it: "N:UINT in [1 - 1024]" is "N",
// "WHEN:{auto,always,never}" is "auto|always|never".
std::string argument_name(std::string_view type_name);

class HelpFormatter : public CLI::Formatter {
 public:
  HelpFormatter();
  std::string make_option(const CLI::Option* opt, bool is_positional) const override;
  std::string make_option_opts(const CLI::Option* opt) const override;
  std::string make_option_desc(const CLI::Option* opt) const override;
  std::string make_subcommand(const CLI::App* sub) const override;
  std::string make_description(const CLI::App* app) const override;
  std::string make_footer(const CLI::App* app) const override;
  std::string make_usage(const CLI::App* app, std::string name) const override;
};

}  // namespace lucompat::cli
