// Host-report ingestion exactly as `fleet ingest` reads a file: JSON lines,
// documents or arrays, to validated reports or rejections. Any exception or
// crash is a defect (an out-of-range number once ended a whole ingest).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "lucompat/fleet/ingest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  lucompat::read_reports(
      in, "fuzz.jsonl", [](lucompat::HostReport&&) {}, [](lucompat::Error&&) {});
  return 0;
}
