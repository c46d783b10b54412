#include "cli/colour.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace lucompat::cli {
namespace {

// One parse per process: the value of whichever command's --color was given.
std::string& colour_when() {
  static std::string when = "auto";
  return when;
}

}  // namespace

void add_colour_option(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_subcommands({}).empty()) {
      sub->add_option("--color", colour_when(),
                      "Colour the verdicts: auto (a terminal, unless NO_COLOR), always, never")
          ->check(CLI::IsMember({"auto", "always", "never"}))
          ->type_name("WHEN");
    } else {
      add_colour_option(*sub);
    }
  }
}

bool colour_wanted() {
  const std::string& when = colour_when();
  if (when == "always") return true;
  if (when == "never") return false;
  const char* no_colour = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) != 0 && (no_colour == nullptr || *no_colour == '\0');
}

}  // namespace lucompat::cli
