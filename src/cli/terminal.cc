#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "lucompat/base/text_fill.h"

namespace lucompat::cli {

void print_report(const std::string& text) {
  winsize w{};
  if (::isatty(STDOUT_FILENO) == 0) {
    std::fputs(text.c_str(), stdout);
    return;
  }
  size_t width = kReportWidth;
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col >= 40)
    width = std::min<size_t>(width, w.ws_col);
  std::fputs(fit_lines(text, width).c_str(), stdout);
}

}  // namespace lucompat::cli
