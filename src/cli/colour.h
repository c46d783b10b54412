// --color=auto|always|never on every command, and NO_COLOR (no-color.org):
// one spelling everywhere, so a script can pass --color=never to any command.
// Commands whose text has verdicts colour them; JSON, Prometheus metrics and
// shell or systemd lines are never coloured.
#pragma once

#include <CLI/CLI.hpp>

namespace lucompat::cli {

// Adds --color to every command below `app` (the root excluded).
void add_colour_option(CLI::App& app);
// Whether what goes to stdout is coloured: always, never, or with auto (the
// default) when stdout is a terminal and NO_COLOR is unset or empty.
bool colour_wanted();

}  // namespace lucompat::cli
