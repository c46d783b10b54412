#include "lucompat/report/paint.h"

#include <fmt/format.h>

namespace lucompat {

std::string painted(std::string_view text, Tone tone, bool colour) {
  if (!colour) return std::string(text);
  const std::string_view start = tone == Tone::good    ? "\033[32m"
                                 : tone == Tone::doubt ? "\033[33m"
                                                       : "\033[1;31m";
  return fmt::format("{}{}\033[0m", start, text);
}

}  // namespace lucompat
