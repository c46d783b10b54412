#include "lucompat/host/system_root.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace lucompat {

std::string SystemRoot::path(std::string_view absolute) const {
  if (root_.empty() || root_ == "/") return std::string(absolute);
  std::string r = root_;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  return r + std::string(absolute);
}

bool is_single_path_component(std::string_view s) {
  constexpr size_t kNameMax = 255;
  if (s.empty() || s.size() > kNameMax || s == "." || s == "..") return false;
  for (const char c : s)
    if (c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{ErrorKind::io, path, std::nullopt,
                 errno == ENOENT ? std::string("no such file")
                                 : fmt::format("cannot open: {}", std::strerror(errno))};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace lucompat
