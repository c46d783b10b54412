#include "lucompat/host/proc_kallsyms.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>

#include "lucompat/base/file.h"
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
  s.name = line.substr(0, tab);
  if (s.name.empty() || s.name.find_first_of(std::string_view(" \0", 2)) != std::string::npos)
    return std::nullopt;
  if (tab != std::string_view::npos) {
    const std::string_view m = line.substr(tab + 1);
    if (m.size() < 3 || m.front() != '[' || m.back() != ']') return std::nullopt;
    s.module = m.substr(1, m.size() - 2);
  }
  return s;
}

}  // namespace

// Builds a ProcKallsyms a line at a time, checking each line and the limits
// as it goes.
class ProcKallsymsReader {
 public:
  // `most` bounds the text's size. The arena and the entries are reserved
  // for the most it may hold: untouched pages of a reservation cost no
  // memory, while growing by doubling would copy 128 MiB of names at once.
  ProcKallsymsReader(const std::string& origin, const ProcKallsymsLimits& limits, uint64_t most)
      : origin_(origin), limits_(limits) {
    most = std::min(most, limits.bytes);
    out_.names_.reserve(most);
    // The shortest line, "1 t a\n", is 6 bytes.
    out_.symbols_.reserve(std::min<uint64_t>(limits.symbols, most / 6 + 1));
  }

  Result<void> line(std::string_view line) {
    ++number_;
    bytes_ += line.size() + 1;
    if (bytes_ > limits_.bytes)
      return limit(fmt::format("is larger than the {}-byte limit", limits_.bytes));
    if (line.empty()) return {};
    const auto s = parse_line(line);
    if (!s)
      return Error{ErrorKind::malformed, origin_, std::nullopt,
                   fmt::format("line {}: expected \"ADDRESS TYPE NAME [MODULE]\", got \"{}\"",
                               number_, printable(line.substr(0, 120)))};
    // by_address_ counts in 32 bits.
    if (out_.symbols_.size() >= std::min<size_t>(limits_.symbols, UINT32_MAX))
      return limit(fmt::format("lists more than {} symbols", limits_.symbols));
    if (out_.names_.size() + s->name.size() >= std::numeric_limits<uint32_t>::max())
      return limit("holds more than 4 GiB of names");
    uint16_t module = 0;
    if (!s->module.empty()) {
      auto m = modules_.find(s->module);
      if (m == modules_.end()) {
        if (out_.modules_.size() >= std::numeric_limits<uint16_t>::max())
          return limit("lists more than 65535 modules");
        out_.modules_.emplace_back(s->module);
        m = modules_.emplace(out_.modules_.back(), out_.modules_.size()).first;
      }
      module = m->second;
      if (s->name == "__this_module") out_.this_modules_.emplace_back(s->address, module);
    }
    out_.symbols_.push_back(
        {s->address, static_cast<uint32_t>(out_.names_.size()), module, s->type});
    out_.names_.append(s->name);
    out_.names_.push_back('\0');
    out_.any_address_ = out_.any_address_ || s->address != 0;
    return {};
  }

  ProcKallsyms finish() && {
    std::vector<uint32_t>& order = out_.by_address_;
    order.resize(out_.symbols_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
    // Stable: of the symbols at one address, the file's order decides.
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return out_.symbols_[a].address < out_.symbols_[b].address;
    });
    return std::move(out_);
  }

 private:
  Error limit(const std::string& what) const {
    return Error{ErrorKind::limit, origin_, std::nullopt,
                 fmt::format("{} (line {}): not a kernel's symbol list", what, number_)};
  }

  const std::string& origin_;
  const ProcKallsymsLimits& limits_;
  ProcKallsyms out_;
  std::map<std::string, uint16_t, std::less<>> modules_;
  size_t number_ = 0;
  uint64_t bytes_ = 0;
};

Result<ProcKallsyms> parse_proc_kallsyms(std::string_view text, const std::string& origin,
                                         const ProcKallsymsLimits& limits) {
  ProcKallsymsReader reader(origin, limits, text.size());
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    LUCOMPAT_CHECK(reader.line(text.substr(0, nl)));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  return std::move(reader).finish();
}

Result<ProcKallsyms> read_proc_kallsyms(const std::string& path, const ProcKallsymsLimits& limits) {
  ProcKallsymsReader reader(path, limits, limits.bytes);
  LUCOMPAT_CHECK(
      read_lines(path, limits.bytes, [&](std::string_view line) { return reader.line(line); }));
  return std::move(reader).finish();
}

ProcSymbol ProcKallsyms::symbol(const Entry& e) const {
  return {e.address, e.type, std::string_view(names_.c_str() + e.name),
          e.module == 0 ? std::string_view() : std::string_view(modules_[e.module - 1])};
}

std::optional<uint64_t> ProcKallsyms::kernel_address(std::string_view name) const {
  if (name.empty()) return std::nullopt;
  // The first byte rejects nearly every name before its length is counted.
  for (const Entry& e : symbols_)
    if (const char* s = names_.c_str() + e.name;
        e.module == 0 && *s == name.front() && std::string_view(s) == name)
      return e.address;
  return std::nullopt;
}

std::optional<std::string> ProcKallsyms::module_at(uint64_t address) const {
  for (const auto& [at, module] : this_modules_)
    if (at == address) return modules_[module - 1];
  return std::nullopt;
}

std::optional<ProcSymbol> ProcKallsyms::symbol_holding(uint64_t address) const {
  const auto at = [&](uint32_t i) { return symbols_[i].address; };
  const auto end = std::upper_bound(by_address_.begin(), by_address_.end(), address,
                                    [&](uint64_t a, uint32_t i) { return a < at(i); });
  if (end == by_address_.begin()) return std::nullopt;
  const uint64_t start = at(*std::prev(end));
  const auto first = std::lower_bound(by_address_.begin(), end, start,
                                      [&](uint32_t i, uint64_t a) { return at(i) < a; });
  const auto data = std::find_if(first, end, [&](uint32_t i) { return is_data(symbols_[i].type); });
  return symbol(symbols_[data != end ? *data : *first]);
}

}  // namespace lucompat
