// Text reports for stdout. On a terminal every line is fitted to at most 100
// columns (fewer when the terminal is narrower), long values continuing under
// their column; in a pipe or a file lines are left whole, so that grep and
// scripts see one line per item and the verdict line as the last one.
#pragma once

#include <string>

namespace lucompat::cli {

inline constexpr size_t kReportWidth = 100;

void print_report(const std::string& text);

}  // namespace lucompat::cli
