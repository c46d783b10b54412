// Host-report ingestion: JSON text to a validated report, or a rejection.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lucompat/fleet/host_report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto doc = nlohmann::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), nullptr, false);
  if (!doc.is_discarded()) (void)lucompat::parse_report(doc, "fuzz.json");
  return 0;
}
