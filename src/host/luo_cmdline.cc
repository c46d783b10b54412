#include "lucompat/host/luo_cmdline.h"

#include <fmt/format.h>

#include <optional>
#include <vector>

namespace lucompat {
namespace {

// lib/kstrtox.c kstrtobool: y/Y/t/T/1 and "on" are true; n/N/f/F/0 and
// "off" are false; anything else is refused and leaves the value alone.
std::optional<bool> kstrtobool(std::string_view v) {
  if (v.empty()) return std::nullopt;
  switch (v[0]) {
    case 'y':
    case 'Y':
    case 't':
    case 'T':
    case '1':
      return true;
    case 'n':
    case 'N':
    case 'f':
    case 'F':
    case '0':
      return false;
    case 'o':
    case 'O':
      if (v.size() < 2) return std::nullopt;
      if (v[1] == 'n' || v[1] == 'N') return true;
      if (v[1] == 'f' || v[1] == 'F') return false;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

// The words of a command line, as the kernel's next_arg() splits them:
// by spaces, a double-quoted part keeping its spaces.
std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  std::string word;
  bool quoted = false, any = false;
  for (const char c : line) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (!quoted && (c == ' ' || c == '\t' || c == '\n')) {
      if (any) out.push_back(std::move(word));
      word.clear();
      any = false;
    } else {
      word += c;
      any = true;
    }
  }
  if (any) out.push_back(std::move(word));
  return out;
}

}  // namespace

LuoCmdline luo_in_cmdline(std::string_view cmdline) {
  bool liveupdate = false, kho = true;
  std::string liveupdate_word, kho_word;
  for (const std::string& w : words(cmdline)) {
    // Parameters after "--" go to init, not to the kernel.
    if (w == "--") break;
    const size_t eq = w.find('=');
    const std::string_view key = std::string_view(w).substr(0, eq);
    const std::string_view value =
        eq == std::string::npos ? std::string_view{} : std::string_view(w).substr(eq + 1);
    if (key == "liveupdate") {
      if (const auto b = kstrtobool(value)) liveupdate = *b, liveupdate_word = w;
    } else if (key == "kho") {
      if (const auto b = kstrtobool(value)) kho = *b, kho_word = w;
    }
  }
  LuoCmdline out;
  out.enabled = liveupdate && kho;
  if (!liveupdate)
    out.why_not =
        liveupdate_word.empty() ? "has no liveupdate=on" : fmt::format("has {}", liveupdate_word);
  else if (!kho)
    out.why_not = fmt::format("has {} (LUO needs KHO)", kho_word);
  return out;
}

}  // namespace lucompat
