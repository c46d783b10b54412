#include "lucompat/inspect/deb_control.h"

#include <algorithm>
#include <vector>

namespace lucompat {
namespace {

std::string_view trimmed(std::string_view s) {
  const size_t start = s.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  return s.substr(start, s.find_last_not_of(" \t\r") - start + 1);
}

// "a (>= 1) | b, c" as its package names: a, b, c.
std::vector<std::string> package_names(std::string_view depends) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < depends.size()) {
    const size_t end = std::min(depends.find_first_of(",|", at), depends.size());
    std::string_view item = trimmed(depends.substr(at, end - at));
    item = item.substr(0, std::min(item.find_first_of(" (:["), item.size()));
    if (!item.empty()) out.emplace_back(item);
    at = end + 1;
  }
  return out;
}

}  // namespace

DebControl parse_deb_control(std::string_view text) {
  DebControl out;
  std::string* field = nullptr;  // the field a continuation line extends
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.empty()) break;  // a control file of one package has one paragraph
    if (line.front() == ' ' || line.front() == '\t') {
      if (field != nullptr) *field += " " + std::string(trimmed(line));
      continue;
    }
    const size_t colon = line.find(':');
    field = nullptr;
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    if (name == "Package") field = &out.package;
    if (name == "Depends") field = &out.depends;
    if (field != nullptr) *field = trimmed(line.substr(colon + 1));
  }
  return out;
}

std::string kernel_dependency(const DebControl& control) {
  const std::vector<std::string> names = package_names(control.depends);
  std::string all;
  for (const std::string& n : names) {
    if (n.starts_with("linux-image-") || n.starts_with("linux-binary-")) return n;
    all += (all.empty() ? "" : ", ") + n;
  }
  return all;
}

}  // namespace lucompat
