// Optional dependencies opened on first use, as systemd does for its own:
// libpq pulls in Kerberos, LDAP and two TLS stacks, libarchive pulls in
// libxml2 and ICU, and linking them made every run of lucompat, even
// `inspect` of one module, pay 4.5 ms to load them (start-up 7.1 ms, now
// 2.6 ms; docs/performance.md, what bounds small images).
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "lucompat/base/result.h"

namespace lucompat {

struct SymbolSlot {
  const char* name;
  void* slot;  // the address of a function pointer to fill
};

// dlopen()s `soname` (kept open for the life of the process) and fills every
// slot; the error names the library, what needs it and dlerror()'s reason.
Result<void> open_shared_library(const char* soname, std::string_view needed_for,
                                 std::span<const SymbolSlot> symbols);

// A struct of function pointers named like the library's functions, from an
// X-macro list of them: LUCOMPAT_SHARED_API(Libpq, LIST) with
// #define LIST(X) X(PQexec) X(PQclear) ...
// `name` is an identifier pasted after :: and as a member, never an expression.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define LUCOMPAT_API_SLOT(name) decltype(&::name) name = nullptr;
#define LUCOMPAT_API_SYMBOL(name) ::lucompat::SymbolSlot{#name, &name},
// NOLINTEND(bugprone-macro-parentheses)
#define LUCOMPAT_SHARED_API(Name, LIST)                                                   \
  struct Name {                                                                           \
    LIST(LUCOMPAT_API_SLOT)                                                               \
    std::vector<::lucompat::SymbolSlot> symbols() { return {LIST(LUCOMPAT_API_SYMBOL)}; } \
  }

// Opens the library and fills an API struct declared as above.
template <typename Api>
Result<Api> load_shared_api(const char* soname, std::string_view needed_for) {
  Api api;
  LUCOMPAT_CHECK(open_shared_library(soname, needed_for, api.symbols()));
  return api;
}

}  // namespace lucompat
