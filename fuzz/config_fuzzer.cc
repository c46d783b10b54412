// The TOML parsers: the first byte picks catalog, profiles, manifest or host
// configuration; the rest is the text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lucompat/host/usage.h"
#include "lucompat/policy/profile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  lucompat::Catalog catalog;
  (void)catalog.add(lucompat::builtin_catalog(), "catalog.toml");
  switch (data[0] % 4) {
    case 0:
      (void)catalog.add(text, "fuzz.toml");
      break;
    case 1: {
      lucompat::ProfileSet profiles;
      (void)profiles.add(text, "fuzz.toml", catalog);
      break;
    }
    case 2:
      (void)lucompat::read_manifest(text, "fuzz.toml", catalog);
      break;
    default:
      (void)lucompat::read_host_config(text, "fuzz.toml", catalog);
      break;
  }
  return 0;
}
