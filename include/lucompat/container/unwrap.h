// Peeling containers off an input until a file (for a kernel, an ELF) or a
// raw image is left. Formats are recognised by content through a probe table,
// never by name; what is inside them, through the caller's CaptureRules.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lucompat/base/byte_range.h"
#include "lucompat/base/byte_reader.h"
#include "lucompat/container/capture_rules.h"
#include "lucompat/container/codec.h"
#include "lucompat/container/layer.h"

namespace lucompat {

inline constexpr int kDefaultMaxDepth = 6;

// What one input may decompress to, all of it together: every layer of a
// nested input and, for a module tree or a package, every member (--max-output).
// A cap per stream alone let four nested layers of just under 1 GiB each, or
// a tree of many such modules, cost the sum. Shared by the threads that read
// one tree's modules, hence atomic.
class OutputBudget {
 public:
  explicit OutputBudget(uint64_t limit) : limit_(limit) {}
  // Throws a limit ParseError once the total passes the limit.
  void charge(uint64_t bytes);
  // Some decoder passed the limit: nothing read from this input since can be trusted to finish.
  bool exhausted() const { return used_.load(std::memory_order_relaxed) > limit_; }
  uint64_t limit() const { return limit_; }

 private:
  const uint64_t limit_;
  std::atomic<uint64_t> used_{0};
};

struct UnwrapOptions {
  // What is inside the containers: which bytes are a file that ends the
  // unwrapping, and what of a large stream its readers touch. Null: no file
  // is recognised, no payload is searched for, and streams are kept whole
  // (bounded by max_output).
  const CaptureRules* rules = nullptr;
  uint64_t max_output = kDefaultMaxOutput;  // per input, all streams together (see OutputBudget)
  int max_depth = kDefaultMaxDepth;         // containers around the innermost bytes
  // Stop decompressing a file once what its readers need has passed (for a
  // kernel: the segment holding its notes, and so its table); see
  // docs/performance.md for what that gives up.
  bool early_exit = false;
  // The budget `max_output` is counted in; null: unwrap() starts one of its own.
  // A module tree or a package sets one for all its members.
  std::shared_ptr<OutputBudget> budget;
  // Keep every decompressed byte (still bounded by max_output) instead of the
  // sparse capture: for readers that need tables the capture cannot predict,
  // such as the kallsyms decoder, which searches the whole image.
  bool keep_all = false;
  // Keep a decompressed linked file (a kernel) whole when its headers say it
  // ends within this many bytes and the data kept whole by all threads stays
  // within SparseBuffer's bound; 0: never. Ignored with early exit.
  uint64_t linked_file_whole = 0;
  // Called, in steps, with the parts of the input that the outermost
  // stream's decoder has read past: the input's owner may give their
  // memory back (FileData::release). Null: nothing is given back.
  std::function<void(Bytes)> release_input;
};

// `file`: bytes the rules' is_file() takes as they are (a kernel's ELF).
enum class Innermost { file, raw };

struct Unwrapped {
  std::vector<Layer> chain;  // outermost first
  Bytes bytes;               // the innermost data
  Innermost kind = Innermost::raw;
  std::optional<ByteOrder> raw_order;  // known byte order of a raw image
  // The container that said the innermost bytes are a raw image (an arm64
  // or riscv Image), when one did.
  std::optional<ContainerKind> raw_kind;
  // A file cut short by early exit: `bytes` end after what the rules said
  // the readers need (a kernel's table), so the rest (an ELF's section
  // headers) is not there to read.
  bool cut = false;
  // The ranges of `bytes` that hold data when they were decompressed (the
  // stream capture's choice; the rest reads as zeros); empty: all of them.
  std::vector<ByteRange> present;
  std::string version_hint;  // a release from a container (bzImage, UKI)
  // Where `bytes` sit, for error offsets: inside the input, or inside the
  // data decompressed by a layer (then `context` names it).
  uint64_t base = 0;
  std::string context;
  std::vector<std::shared_ptr<const void>> buffers;  // keep decompressed bytes alive
};

// Throws ParseError for a container that is ours but corrupt.
Unwrapped unwrap(Bytes data, const UnwrapOptions& options);

// An error about offsets in `u.bytes`, restated in terms of the input or of
// the decompressed data that holds them.
Error relocate(Error e, const Unwrapped& u);

}  // namespace lucompat
