// x86 bzImage (Documentation/arch/x86/boot.rst): the setup header locates the
// compressed vmlinux.
#include <fmt/format.h>

#include "container/probe.h"

namespace lucompat {

namespace {

bool sniff(Bytes head) {
  const std::string_view s = as_chars(head);
  return s.size() >= 0x260 && s.substr(0x1fe, 2) == "\x55\xaa" && s.substr(0x202, 4) == "HdrS";
}

std::optional<Step> probe(Bytes data, const ProbeContext& context) {
  if (!sniff(data)) return std::nullopt;
  const ByteReader r(data, ByteOrder::little);
  const uint16_t protocol = r.u16(0x206, "boot protocol version");
  if (protocol < 0x0208)
    fail(ErrorKind::unsupported, 0x206,
         fmt::format("x86 boot protocol {}.{:02} predates the payload pointer (2.08); this "
                     "bzImage is too old to read",
                     protocol >> 8, protocol & 0xff));
  uint64_t setup_sects = r.u8(0x1f1, "setup_sects");
  if (setup_sects == 0) setup_sects = 4;
  const uint32_t payload_offset = r.u32(0x248, "payload_offset");
  const uint32_t payload_length = r.u32(0x24c, "payload_length");
  const uint64_t start = (setup_sects + 1) * 512 + payload_offset;
  if (!r.contains(start, payload_length))
    fail_beyond_end(
        start, data.size(), 0x248,
        fmt::format("bzImage payload ({} bytes) extends beyond the end of the file at {:#x}",
                    payload_length, data.size()));
  const Bytes payload = r.bytes(start, payload_length, "bzImage payload");
  if (codec_at(payload) == nullptr)
    fail(ErrorKind::malformed, start,
         "bzImage payload does not start with a known compression magic");

  Step step;
  step.layer.format = with_stub("x86 bzImage", context);
  step.layer.offset = start;
  step.layer.size = payload_length;
  step.layer.details.emplace_back("boot_protocol",
                                  fmt::format("{}.{:02}", protocol >> 8, protocol & 0xff));
  // The kernel_version pointer names a string in the setup code: the release
  // and build, readable without decompressing anything.
  if (const uint16_t ptr = r.u16(0x20e, "kernel_version"); ptr != 0 && r.contains(0x200 + ptr, 1)) {
    const std::string_view rest = as_chars(data.subspan(0x200 + ptr)).substr(0, 512);
    const std::string_view version = rest.substr(0, rest.find('\0'));
    if (version.size() < rest.size() && !version.empty()) {
      step.layer.details.emplace_back("kernel_version", std::string(version));
      step.version_hint = std::string(version.substr(0, version.find(' ')));
    }
  }
  step.inner = payload;
  return step;
}

}  // namespace

const ContainerProbe kBzImageProbe{ContainerKind::bzimage, "x86 bzImage", &sniff, &probe,
                                   Capture::whole};

}  // namespace lucompat
