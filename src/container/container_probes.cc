#include <array>

#include "container/probe.h"

namespace lucompat {

std::span<const ContainerProbe* const> container_probes() {
  static constexpr std::array<const ContainerProbe*, 8> kProbes{
      &kZbootProbe,      &kUkiProbe,        &kBzImageProbe,   &kArm64ImageProbe,
      &kRiscvImageProbe, &kCompressedProbe, &kArmZImageProbe, &kEmbeddedProbe,
  };
  return kProbes;
}

}  // namespace lucompat
