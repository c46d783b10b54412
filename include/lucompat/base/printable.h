// Text that came from an input (a file name, a banner, a label, a package
// member) on its way to a terminal or a log: control characters, ANSI escape
// sequences, newlines and bytes that are not UTF-8 become visible escapes, so
// no input can forge an output line or drive the terminal.
#pragma once

#include <string>
#include <string_view>

namespace lucompat {

// "a\nb\x1b[31m" -> "a\\nb\\x1b[31m"; valid UTF-8 text outside C0/C1 controls
// is kept as it is, and a backslash is doubled only where it would be read as
// one of these escapes.
std::string printable(std::string_view text);

}  // namespace lucompat
