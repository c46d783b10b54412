// One probe per container format. A probe returns nullopt for "not mine" and
// throws ParseError for "mine but corrupt"; otherwise it says what it found and
// where the inner bytes are.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "container/sparse_buffer.h"
#include "lucompat/container/unwrap.h"

namespace lucompat {

struct Step {
  std::optional<Layer> outer;  // a container found around `layer` in the same probe
  Layer layer;
  // Streams found inside `layer`'s output and decoded with it, outermost first.
  std::vector<Layer> nested;
  Bytes inner;
  std::shared_ptr<const SparseBuffer> buffer;  // owns `inner` when decompressed
  bool raw_image = false;  // the inner bytes are a raw kernel image: stop unwrapping
  bool cut = false;        // decompression stopped early: `inner` is a prefix
  std::optional<ByteOrder> raw_order;
  std::string version_hint;
};

struct ContainerProbe;

// Specific headers before generic ones, the embedded-payload search (which
// decompresses speculatively) last.
std::span<const ContainerProbe* const> container_probes();

struct ProbeContext {
  const UnwrapOptions& options;
  bool efi_stub = false;  // the bytes are also a PE/COFF EFI application
  int depth = 0;          // containers around the bytes, for the --max-depth limit
  // The registry in use, for the stream capture of what a probe decompresses.
  std::span<const ContainerProbe* const> probes = container_probes();
};

using Probe = std::optional<Step> (*)(Bytes data, const ProbeContext& context);

// How a stream capture keeps a decompressed stream that starts a container.
enum class Capture : uint8_t {
  whole,   // its probe follows offsets anywhere in it: every byte (bounded)
  sparse,  // a raw image: what the magic scan and the banner search need
};

// One container format: the only place its magic and its reader are named.
// unwrap() tries the registry's probes in order, the stream capture asks
// their sniffs what a stream holds, the probe fuzzer runs each.
struct ContainerProbe {
  ContainerKind kind;
  std::string_view name;  // for tests and the fuzzer
  // Whether a stream's first bytes (4 KiB or more when it has them) start
  // this container; null for a payload found by scanning, which no head shows.
  bool (*sniff)(Bytes head);
  Probe probe;
  Capture capture;
};

// unwrap() with another registry: a test's, to show a new format needs only its record.
Unwrapped unwrap_with(Bytes data, const UnwrapOptions& options,
                      std::span<const ContainerProbe* const> probes);

extern const ContainerProbe kZbootProbe;
extern const ContainerProbe kUkiProbe;
extern const ContainerProbe kBzImageProbe;
extern const ContainerProbe kArm64ImageProbe;
extern const ContainerProbe kRiscvImageProbe;
extern const ContainerProbe kCompressedProbe;
extern const ContainerProbe kArmZImageProbe;
extern const ContainerProbe kEmbeddedProbe;

// What may follow a compressed stream in its container: nothing (or a
// 4-byte size; anything else is a warning), or the rest of an image that
// holds it without saying where it ends (a decompressor's own data).
enum class AfterStream { nothing, image };

// Decompresses a stream that starts at data[0], inside `depth` containers,
// and the streams nested in it, into a Step (shared by probes).
Step decompress_step(const Codec& codec, Bytes data, const ProbeContext& context, int depth,
                     AfterStream after = AfterStream::nothing);

// "x86 bzImage" plus " + PE/COFF EFI stub" when the same bytes are a PE.
std::string with_stub(const std::string& format, const ProbeContext& context);

}  // namespace lucompat
