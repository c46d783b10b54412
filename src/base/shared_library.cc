#include "lucompat/base/shared_library.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstring>

namespace lucompat {

Result<void> open_shared_library(const char* soname, std::string_view needed_for,
                                 std::span<const SymbolSlot> symbols) {
  const auto failed = [&](const char* why) {
    return Error{ErrorKind::unsupported, soname, std::nullopt,
                 fmt::format("{} needs {}, which cannot be loaded: {}", needed_for, soname,
                             why != nullptr ? why : "unknown reason")};
  };
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return failed(dlerror());
  for (const SymbolSlot& s : symbols) {
    void* fn = dlsym(handle, s.name);
    if (fn == nullptr) {
      Error e = failed(dlerror());
      dlclose(handle);
      return e;
    }
    std::memcpy(s.slot, &fn, sizeof fn);  // POSIX: a data pointer converts to a function pointer
  }
  return {};
}

}  // namespace lucompat
