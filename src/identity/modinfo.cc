#include "lucompat/identity/kernel_identity.h"

namespace lucompat {

ModInfo parse_modinfo(Bytes section) {
  ModInfo info;
  std::string_view rest = as_chars(section);
  while (!rest.empty()) {
    const size_t end = rest.find('\0');
    const std::string_view item = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    if (item.starts_with("name=")) info.name = item.substr(5);
    if (item.starts_with("vermagic=")) {
      std::string_view v = item.substr(9);
      while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
      info.vermagic = v;
    }
  }
  return info;
}

}  // namespace lucompat
