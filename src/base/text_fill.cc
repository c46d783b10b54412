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

size_t display_width(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\033') {  // ESC [ ... m
      const size_t end = text.find('m', i);
      if (end == std::string_view::npos) break;
      i = end;
      continue;
    }
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) ++width;
  }
  return width;
}

namespace {

// Where a line's value starts: after its indentation, a label and the run of
// two or more spaces that aligns the values; npos when it has none.
size_t value_column(std::string_view line) {
  const size_t indent = indentation(line);
  const size_t gap = line.find("  ", indent);
  if (gap == std::string_view::npos) return std::string_view::npos;
  return line.find_first_not_of(' ', gap);
}

}  // namespace

std::string fit_lines(std::string_view text, size_t width, size_t hang) {
  std::string out;
  for (size_t at = 0; at < text.size();) {
    const size_t nl = text.find('\n', at);
    const size_t end = nl == std::string_view::npos ? text.size() : nl;
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (display_width(line) <= width) {
      out += line;
    } else {
      // The words after the label (or the indentation) go on as long as
      // they fit; the rest continues under the value column, or `hang` in.
      size_t start = value_column(line);
      size_t indent = start == std::string_view::npos ? std::string_view::npos
                                                      : display_width(line.substr(0, start));
      if (indent == std::string_view::npos || indent > width / 2) {
        start = indentation(line);
        indent = std::min(start + hang, width / 2);
      }
      std::string current(line.substr(0, start));
      size_t used = display_width(current);
      bool first_word = true;  // of the current line: it goes there however long
      for (size_t w = start; w < line.size();) {
        const size_t word_start = line.find_first_not_of(' ', w);
        if (word_start == std::string_view::npos) break;
        const size_t word_end = std::min(line.find(' ', word_start), line.size());
        const std::string_view word = line.substr(word_start, word_end - word_start);
        const size_t cols = display_width(word);
        if (!first_word && used + 1 + cols > width) {
          out += current + "\n";
          current.assign(indent, ' ');
          used = indent;
          first_word = true;
        }
        if (!first_word) {
          current += ' ';
          ++used;
        }
        current += word;
        used += cols;
        first_word = false;
        w = word_end;
      }
      out += current;
    }
    if (nl != std::string_view::npos) out += '\n';
  }
  return out;
}

}  // namespace lucompat
