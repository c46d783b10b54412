// What of a decompressed kernel its readers touch, told to the container
// layer's stream capture: an ELF is a file laid out by its headers (as
// elf_layout.h reads them); raw bytes hold table magics and the banner
// (marker_scan.h). The container layer keeps what these name and nothing of
// ELF or tables is known there.
#pragma once

#include "lucompat/container/capture_rules.h"

namespace lucompat {

// The rules hold no state: one instance serves every thread.
const CaptureRules& kernel_capture_rules();

}  // namespace lucompat
