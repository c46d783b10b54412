// ANSI colours for the words of a verdict in text output, for a terminal:
// green for what passes, yellow for what is undecided or a warning, bold red
// for what fails. Callers pass `colour` as --color decided (cli/colour.h).
#pragma once

#include <string>
#include <string_view>

namespace lucompat {

enum class Tone { good, doubt, bad };

std::string painted(std::string_view text, Tone tone, bool colour);

}  // namespace lucompat
