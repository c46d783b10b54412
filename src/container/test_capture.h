// For the capture tests (container's, under the test rules, and inspect's,
// under the kernel's): a stream fed to a StreamCapture in pieces.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "container/stream_capture.h"

namespace lucompat::testing {

struct Captured {
  std::unique_ptr<SparseBuffer> buffer;
  uint64_t size = 0;     // what the capture saw
  bool stopped = false;  // consume() said the rest is not needed
};

struct Feed {
  const CaptureRules* rules = nullptr;
  std::vector<uint64_t> cuts;  // ascending offsets, then `chunk`-byte pieces
  size_t chunk = 64 << 10;
  bool early_exit = false;
  bool keep_all = false;
  uint64_t linked_whole = 0;
};

inline Captured run_capture(const std::string& stream, const Feed& feed) {
  Captured out{std::make_unique<SparseBuffer>(stream.size())};
  StreamCapture c(*out.buffer, feed.rules, feed.early_exit, feed.keep_all, container_probes(),
                  feed.linked_whole);
  std::vector<uint64_t> at = feed.cuts;
  for (uint64_t p = at.empty() ? 0 : at.back(); p < stream.size(); p += feed.chunk) at.push_back(p);
  at.push_back(stream.size());
  uint64_t from = 0;
  for (uint64_t to : at) {
    if (to <= from) continue;
    if (!c.consume(as_bytes(std::string_view(stream).substr(from, to - from)))) {
      out.stopped = true;
      break;
    }
    from = to;
  }
  out.size = c.size();
  return out;
}

inline std::string_view kept(const Captured& c, uint64_t offset, uint64_t size) {
  return as_chars(c.buffer->view(offset + size).subspan(offset));
}

}  // namespace lucompat::testing
