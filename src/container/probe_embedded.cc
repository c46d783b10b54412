// Kernels whose compressed payload sits inside a decompressor with no pointer
// to it: 32-bit ARM zImage and s390x vmlinuz. Candidates are found by magic
// and the first one that decompresses into a kernel wins, because the first
// magic is not always the payload (a real Debian s390x image has a false xz
// hit before the real one).
#include <fmt/format.h>

#include <array>

#include "container/probe.h"

namespace lucompat {
namespace {

// Each attempt may decompress a lot; a blob with more candidates than this is
// not a kernel decompressor.
constexpr int kMaxAttempts = 32;

// `kind`: an ARM zImage, which must hold a payload, or any other decompressor.
std::optional<Step> find_payload(Bytes data, const ProbeContext& context, ContainerKind kind,
                                 const std::string& format) {
  // Without rules nothing tells a kernel from a false hit.
  if (context.options.rules == nullptr) return std::nullopt;
  int attempts = 0;
  std::string last;  // why the last candidate failed, for the error when none works
  // Most bytes start no magic: one table lookup rejects them, where trying
  // every codec's magic at every byte made a 100 MiB blob of zeros take 2 s.
  static const std::array<bool, 256> first = [] {
    std::array<bool, 256> t{};
    for (const Codec& c : codecs()) t[static_cast<uint8_t>(c.magic.front())] = true;
    return t;
  }();
  for (size_t at = 1; at + 4 <= data.size() && attempts < kMaxAttempts; ++at) {
    if (!first[static_cast<uint8_t>(data[at])]) continue;
    const Codec* codec = codec_at(data.subspan(at));
    if (codec == nullptr) continue;
    ++attempts;
    try {
      Step step =
          decompress_step(*codec, data.subspan(at), context, context.depth + 1, AfterStream::image);
      if (!context.options.rules->is_payload(step.inner)) continue;
      Layer outer;
      outer.kind = kind;
      outer.format = format;
      outer.offset = at;
      outer.size = step.layer.size;
      outer.details.emplace_back("payload_offset", fmt::format("{:#x}", at));
      outer.details.emplace_back("candidates_tried", std::to_string(attempts));
      step.outer = std::move(outer);
      return step;
    } catch (const ParseError& e) {
      // A false hit, whatever it failed on: a magic found by scanning says
      // nothing about the bytes after it, so a header asking for a huge
      // dictionary (Debian's armhf zImage has an lzma magic before its xz
      // payload) or a stream over a cap is one failed candidate, not the
      // verdict on the file. Only the input's own total is final: no later
      // candidate can decompress within a budget already spent.
      if (context.options.budget && context.options.budget->exhausted()) throw;
      const Error& why = e.error();
      last = fmt::format("; the last to fail: {} at {:#x}: {}", codec->name,
                         at + why.offset.value_or(0), why.message);
    }
  }
  if (kind == ContainerKind::arm_zimage)
    fail(ErrorKind::malformed, std::nullopt,
         fmt::format("ARM zImage: no compressed payload that decompresses into a kernel ({} "
                     "candidates tried{})",
                     attempts, last));
  return std::nullopt;
}

bool sniff_arm_zimage(Bytes head) {
  return head.size() >= 0x30 && load<uint32_t>(head.data() + 0x24, ByteOrder::little) == 0x016f2818;
}

std::optional<Step> probe_arm_zimage(Bytes data, const ProbeContext& context) {
  if (!sniff_arm_zimage(data)) return std::nullopt;
  return find_payload(data, context, ContainerKind::arm_zimage, "ARM zImage");
}

std::optional<Step> probe_embedded(Bytes data, const ProbeContext& context) {
  // A raw image that holds the table itself needs no unwrapping.
  const CaptureRules* rules = context.options.rules;
  if (rules == nullptr || rules->holds_content(data) || rules->is_payload(data))
    return std::nullopt;
  return find_payload(data, context, ContainerKind::embedded, "self-decompressing image");
}

}  // namespace

const ContainerProbe kArmZImageProbe{ContainerKind::arm_zimage, "ARM zImage", &sniff_arm_zimage,
                                     &probe_arm_zimage, Capture::whole};
const ContainerProbe kEmbeddedProbe{ContainerKind::embedded, "embedded payload", nullptr,
                                    &probe_embedded, Capture::sparse};

}  // namespace lucompat
