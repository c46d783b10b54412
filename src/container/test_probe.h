// For the probe tests: a layer's facts by name, and the error a probe throws.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "container/probe.h"

namespace lucompat::testing {

// The detail named `key`, or "" when the layer has none.
inline std::string detail(const Layer& layer, std::string_view key) {
  for (const auto& [k, v] : layer.details)
    if (k == key) return v;
  return {};
}

// The ParseError the probe throws for `bytes`; throws when it throws none.
inline Error probe_error(Probe probe, std::string_view bytes, const UnwrapOptions& options = {}) {
  try {
    (void)probe(as_bytes(bytes), {options});
  } catch (const ParseError& e) {
    return e.error();
  }
  throw std::logic_error("the probe threw no error");
}

}  // namespace lucompat::testing
