// One probe per container format. A probe returns nullopt for "not mine" and
// throws ParseError for "mine but corrupt"; otherwise it says what it found and
// where the inner bytes are.
#pragma once

#include <memory>
#include <optional>
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

struct ProbeContext {
  const UnwrapOptions& options;
  bool efi_stub = false;  // the bytes are also a PE/COFF EFI application
  int depth = 0;          // containers around the bytes, for the --max-depth limit
};

using Probe = std::optional<Step> (*)(Bytes data, const ProbeContext& context);

std::optional<Step> probe_zboot(Bytes data, const ProbeContext& context);
std::optional<Step> probe_uki(Bytes data, const ProbeContext& context);
std::optional<Step> probe_bzimage(Bytes data, const ProbeContext& context);
std::optional<Step> probe_arm64_image(Bytes data, const ProbeContext& context);
std::optional<Step> probe_riscv_image(Bytes data, const ProbeContext& context);
std::optional<Step> probe_compressed(Bytes data, const ProbeContext& context);
std::optional<Step> probe_arm_zimage(Bytes data, const ProbeContext& context);
std::optional<Step> probe_embedded_payload(Bytes data, const ProbeContext& context);

// Decompresses a stream that starts at data[0], inside `depth` containers,
// and the streams nested in it, into a Step (shared by probes).
Step decompress_step(const Codec& codec, Bytes data, const UnwrapOptions& options, int depth);

// "x86 bzImage" plus " + PE/COFF EFI stub" when the same bytes are a PE.
std::string with_stub(std::string format, const ProbeContext& context);

}  // namespace lucompat
