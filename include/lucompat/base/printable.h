// Text that came from an input (a file name, a banner, a label, a package
// member) on its way to a terminal, a log or a JSON document: control
// characters, ANSI escape sequences, newlines and bytes that are not UTF-8
// become visible escapes, so no input can forge an output line or drive the
// terminal, and no byte can stop a JSON writer.
#pragma once

#include <string>
#include <string_view>

namespace lucompat {

// "a\nb\x1b[31m" -> "a\\nb\\x1b[31m"; valid UTF-8 text outside C0/C1 controls
// is kept as it is, and a backslash is doubled only where it would be read as
// one of these escapes.
std::string printable(std::string_view text);

// Whether `text` is UTF-8, which is all JSON holds.
bool utf8(std::string_view text);

// Whether `text` holds a C0 control (a newline, a tab, ESC), DEL or a C1
// control: what configuration that is printed, or written in shell and
// systemd syntax, must not hold.
bool has_control(std::string_view text);

// Text as a JSON string holds it: UTF-8 as it is (the JSON writer escapes
// its controls itself); text that is not UTF-8 as printable() writes its
// bytes, each byte outside a valid sequence a visible "\xNN", controls and
// newlines kept for the writer. Every string of every JSON document
// lucompat writes passes here (base/json_dump.h).
std::string json_text(std::string_view text);

}  // namespace lucompat
