#include "lucompat/host/proc_kallsyms.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "lucompat/base/printable.h"

namespace lucompat {
namespace {

bool is_data(char type) {
  switch (type) {
    case 'd':
    case 'D':
    case 'b':
    case 'B':
    case 'r':
    case 'R':
      return true;
    default:
      return false;
  }
}

std::optional<ProcSymbol> parse_line(std::string_view line) {
  ProcSymbol s;
  const size_t space = line.find(' ');
  if (space == std::string_view::npos || space == 0 || space > 16) return std::nullopt;
  const auto [end, ec] = std::from_chars(line.data(), line.data() + space, s.address, 16);
  if (ec != std::errc{} || end != line.data() + space) return std::nullopt;
  line.remove_prefix(space + 1);
  if (line.size() < 3 || line[1] != ' ') return std::nullopt;
  s.type = line[0];
  line.remove_prefix(2);
  const size_t tab = line.find('\t');
  s.name = std::string(line.substr(0, tab));
  if (s.name.empty() || s.name.find(' ') != std::string::npos) return std::nullopt;
  if (tab != std::string_view::npos) {
    const std::string_view m = line.substr(tab + 1);
    if (m.size() < 3 || m.front() != '[' || m.back() != ']') return std::nullopt;
    s.module = std::string(m.substr(1, m.size() - 2));
  }
  return s;
}

}  // namespace

Result<ProcKallsyms> parse_proc_kallsyms(std::string_view text, const std::string& origin) {
  ProcKallsyms out;
  bool any_address = false;
  size_t number = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++number;
    if (line.empty()) continue;
    auto s = parse_line(line);
    if (!s)
      return Error{ErrorKind::malformed, origin, std::nullopt,
                   fmt::format("line {}: expected \"ADDRESS TYPE NAME [MODULE]\", got \"{}\"",
                               number, printable(line.substr(0, 120)))};
    any_address = any_address || s->address != 0;
    out.symbols.push_back(std::move(*s));
  }
  out.addresses_hidden = !out.symbols.empty() && !any_address;
  return out;
}

std::optional<uint64_t> ProcKallsyms::kernel_address(std::string_view name) const {
  const auto it = std::find_if(symbols.begin(), symbols.end(), [&](const ProcSymbol& s) {
    return s.module.empty() && s.name == name;
  });
  if (it == symbols.end()) return std::nullopt;
  return it->address;
}

std::optional<std::string> ProcKallsyms::module_at(uint64_t address) const {
  const auto it = std::find_if(symbols.begin(), symbols.end(), [&](const ProcSymbol& s) {
    return !s.module.empty() && s.address == address && s.name == "__this_module";
  });
  if (it == symbols.end()) return std::nullopt;
  return it->module;
}

const ProcSymbol* ProcKallsyms::symbol_holding(uint64_t address) const {
  const ProcSymbol* holder = nullptr;
  for (const ProcSymbol& s : symbols)
    if (s.address <= address &&
        (holder == nullptr || s.address > holder->address ||
         (s.address == holder->address && is_data(s.type) && !is_data(holder->type))))
      holder = &s;
  return holder;
}

}  // namespace lucompat
