#include "lucompat/base/text_fill.h"

#include <algorithm>

namespace lucompat {
namespace {

size_t indentation(std::string_view line) {
  const size_t n = line.find_first_not_of(' ');
  return n == std::string_view::npos ? 0 : n;
}

// One line fitted to `width`: its first part as written (a list's aligned
// columns survive), the rest refilled below at its indentation plus `hang`.
void fit_line(std::string_view line, size_t width, size_t hang, std::string& out) {
  if (line.size() <= width) {
    out += line;
    return;
  }
  const size_t indent = indentation(line);
  const size_t cut = line.rfind(' ', width);
  if (cut == std::string_view::npos || cut <= indent) {
    out += line;
    return;
  }
  out += line.substr(0, line.find_last_not_of(' ', cut) + 1);
  const size_t more = std::min(indent + hang, width / 2);
  for (const std::string& l : fill_words(line.substr(cut + 1), width - more))
    out += "\n" + std::string(more, ' ') + l;
}

}  // namespace

std::vector<std::string> fill_words(std::string_view text, size_t width) {
  std::vector<std::string> lines;
  for (size_t at = 0; at < text.size();) {
    const size_t start = text.find_first_not_of(' ', at);
    if (start == std::string_view::npos) break;
    const size_t end = std::min(text.find(' ', start), text.size());
    const std::string_view word = text.substr(start, end - start);
    if (!lines.empty() && lines.back().size() + 1 + word.size() <= width) {
      lines.back() += ' ';
      lines.back() += word;
    } else {
      lines.emplace_back(word);
    }
    at = end;
  }
  return lines;
}

std::string fit_text(std::string_view text, size_t width, size_t hang) {
  // A paragraph's unindented lines are one: refilled, not broken where an
  // 80-column editor broke them.
  std::vector<std::string> lines;
  bool in_paragraph = false;
  for (size_t at = 0; at <= text.size();) {
    const size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line = text.substr(at, end - at);
    const bool prose = !line.empty() && line.front() != ' ';
    if (prose && in_paragraph)
      lines.back() += " " + std::string(line);
    else
      lines.emplace_back(line);
    in_paragraph = prose;
    at = end + 1;
  }
  std::string out;
  for (size_t n = 0; n < lines.size(); ++n) {
    if (n != 0) out += '\n';
    // A paragraph's continuation is more of the paragraph, flush with it.
    fit_line(lines[n], width, indentation(lines[n]) == 0 ? 0 : hang, out);
  }
  return out;
}

}  // namespace lucompat
