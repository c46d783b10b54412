// Text fitted to a terminal's width, for help pages and reports: words are
// never cut (a path longer than the width keeps a line of its own), and an
// indented line continues further in so that its continuation reads as one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lucompat {

// The words of `text` (split at spaces) filled into lines of at most `width`.
std::vector<std::string> fill_words(std::string_view text, size_t width);

// Each paragraph of unindented lines refilled as one; an indented line (an
// example, a list item) kept as written up to the last space that fits, its
// rest filled `hang` columns further in than it starts.
std::string fit_text(std::string_view text, size_t width, size_t hang = 2);

// Each line of a report fitted on its own to `width` terminal columns (UTF-8
// characters count one, colour escapes none). A line's continuation starts
// at its value column (after its label and the spaces that align it:
// "  banner    Linux version ..."), else `hang` columns in; a word is never
// cut.
std::string fit_lines(std::string_view text, size_t width, size_t hang = 4);

// The columns `text` takes on a terminal: UTF-8 continuation bytes and ANSI
// colour escapes take none.
size_t display_width(std::string_view text);

}  // namespace lucompat
