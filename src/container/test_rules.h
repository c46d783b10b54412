// Capture rules for a format invented for the container tests, so that they
// show the capture and the probes follow whatever rules they are given and
// know nothing of ELF or tables (inspect's kernel rules are tested beside
// them, in inspect/kernel_capture_rules_test.cc).
//
// A file starts "FILE", then little-endian u64s: at 8 its index's offset
// and size, at 24 where its header tables lie, at 32 where it ends when
// linked (0: not). The index holds u64s: a range to keep (offset, size),
// where the readers' needs end, and a range its reader asks for once the
// rest is at hand (offset, size). Raw bytes hold two markers: "MARK" keeps
// 100 bytes, "LONG-MARK" 1000. A payload is a file or holds "PAYLOAD".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lucompat/base/byte_reader.h"
#include "lucompat/container/capture_rules.h"

namespace lucompat::testing {

class TestRules final : public CaptureRules {
 public:
  static constexpr uint64_t kMarkSpan = 100, kLongMarkSpan = 1000;
  static constexpr size_t kMaxCandidates = 64;

  bool is_file(Bytes head) const override { return as_chars(head).starts_with("FILE"); }

  std::optional<FilePlan> plan_file(Bytes head) const override {
    if (head.size() < 40) return std::nullopt;
    FilePlan plan;
    plan.index = {u64(head, 8), u64(head, 16)};
    plan.keep.push_back(plan.index);
    plan.tables_at = u64(head, 24);
    plan.linked_end = u64(head, 32);
    return plan;
  }

  IndexPlan plan_index(Bytes data, const FilePlan& plan) const override {
    if (plan.index.size < 24) return {};
    const uint64_t at = plan.index.offset;
    return {{{u64(data, at), u64(data, at + 8)}}, u64(data, at + 16), "the test file's needs"};
  }

  std::vector<ByteRange> missing(Bytes file, const Covered& covered) const override {
    const uint64_t index = u64(file, 8);
    if (u64(file, 16) < 40) return {};
    const ByteRange asked{u64(file, index + 24), u64(file, index + 32)};
    if (asked.size == 0 || covered(asked.offset, asked.size)) return {};
    return {asked};
  }

  const MarkerShape& markers() const override {
    static const MarkerShape shape{std::string_view("LONG-MARK").size(), kLongMarkSpan,
                                   kMaxCandidates, "test marker"};
    return shape;
  }

  void find_markers(Bytes raw, std::vector<MarkerFound>& out) const override {
    const std::string_view s = as_chars(raw);
    for (size_t at = s.find("MARK"); at != std::string_view::npos; at = s.find("MARK", at + 1)) {
      const bool is_long = at >= 5 && s.substr(at - 5, 5) == "LONG-";
      if (is_long)
        out.push_back({at - 5, 9, kLongMarkSpan});
      else
        out.push_back({at, 4, kMarkSpan});
    }
  }

  bool is_payload(Bytes data) const override {
    return is_file(data) || as_chars(data).find("PAYLOAD") != std::string_view::npos;
  }
  bool holds_content(Bytes data) const override {
    return as_chars(data).find("MARK") != std::string_view::npos;
  }

 private:
  static uint64_t u64(Bytes b, uint64_t at) {
    return ByteReader(b, ByteOrder::little).u64(at, "test field");
  }
};

inline const TestRules kTestRules;

// A file of `size` bytes whose header names `index` (24 or 40 bytes at
// `index_at`) and `tables_at`; the rest is `fill`.
inline std::string test_file(uint64_t size, uint64_t index_at, uint64_t tables_at,
                             std::vector<uint64_t> index, uint64_t linked_end = 0,
                             char fill = 'x') {
  std::string f(size, fill);
  const auto put = [&](uint64_t at, uint64_t v) {
    for (int i = 0; i < 8; ++i) f[at + i] = static_cast<char>(v >> (8 * i));
  };
  f.replace(0, 8, "FILE\0\0\0\0", 8);
  put(8, index_at);
  put(16, index.size() * 8);
  put(24, tables_at);
  put(32, linked_end);
  for (size_t i = 0; i < index.size(); ++i) put(index_at + i * 8, index[i]);
  return f;
}

}  // namespace lucompat::testing
