#include "cli/flag_checks.h"

#include <charconv>
#include <sstream>

namespace lucompat::cli {
namespace {

// include/linux/threads.h: PID_MAX_LIMIT, 4M on 64-bit kernels.
constexpr int kPidMaxLimit = 4 * 1024 * 1024;

std::vector<std::string> pid_tokens(std::string value) {
  for (char& c : value)
    if (c == ',') c = ' ';
  std::istringstream in(value);
  std::vector<std::string> out;
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

std::string check_pids(const std::string& value) {
  const auto tokens = pid_tokens(value);
  if (tokens.empty()) return "expected one or more process ids, found an empty value";
  for (const auto& t : tokens) {
    int pid = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), pid);
    if (ec != std::errc() || end != t.data() + t.size() || pid < 1 || pid > kPidMaxLimit)
      return "\"" + t + "\" is not a process id (a whole number from 1 to " +
             std::to_string(kPidMaxLimit) + ")";
  }
  return {};
}

}  // namespace

const CLI::Validator& unsigned_value() {
  static const CLI::Validator v(
      [](const std::string& s) -> std::string {
        if (s.empty() || s.front() < '0' || s.front() > '9' || s.find('-') != std::string::npos)
          return "expected a number of 0 or more, found \"" + s + "\"";
        return {};
      },
      "", "unsigned");
  return v;
}

const CLI::Validator& non_empty() {
  static const CLI::Validator v(
      [](const std::string& s) -> std::string {
        return s.empty() ? "expected a value, found an empty one" : "";
      },
      "", "non-empty");
  return v;
}

const CLI::Validator& pid_list() {
  static const CLI::Validator v(check_pids, "", "pid list");
  return v;
}

std::vector<int> split_pids(const std::vector<std::string>& values) {
  std::vector<int> out;
  for (const auto& v : values)
    for (const auto& t : pid_tokens(v)) {
      int pid = 0;
      std::from_chars(t.data(), t.data() + t.size(), pid);
      out.push_back(pid);
    }
  return out;
}

}  // namespace lucompat::cli
