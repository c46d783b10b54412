// The layout of the objects a Live Update Orchestrator kernel registers
// (mainline include/linux/liveupdate.h): a file handler or an FLB starts with
// a pointer to its ops in read-only data, followed by its inline compatible
// string. Sizes and offsets come from the build's own BTF when it has one,
// else from the documented mainline layout for the pointer size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lucompat/base/byte_reader.h"
#include "lucompat/base/result.h"

namespace lucompat {

// struct liveupdate_file_ops / liveupdate_flb_ops: function pointers, then
// `struct module *owner`.
struct OpsLayout {
  uint64_t size = 0;
  unsigned functions = 0;     // the leading function pointers
  uint64_t owner_offset = 0;  // the owner pointer
};

// struct liveupdate_file_handler / liveupdate_flb.
struct ObjectLayout {
  uint64_t size = 0;  // exact when `exact`, else the least size the documented members take
  bool exact = false;
  uint64_t ops_offset = 0;
  uint64_t compatible_offset = 0;
  uint64_t compatible_size = 0;
  // The object's tail from here is private state filled at registration, so
  // all zero in the image; 0 when nothing is known to be zero.
  uint64_t zero_from = 0;
  // The list head that links a registered object into its kernel's list
  // (a handler's `list`, an FLB's `private.list`): what a walk of the running
  // kernel's lists subtracts from each node. Absent when the layout cannot
  // say (BTF whose private state is opaque).
  std::optional<uint64_t> link_offset;
  OpsLayout ops;
};

struct RegistrationLayout {
  unsigned pointer_size = 8;
  ObjectLayout handler;
  ObjectLayout flb;
  std::string source;  // "BTF" or "documented layout"
};

// The layout in a BTF blob (a vmlinux's .BTF, or /sys/kernel/btf/vmlinux);
// nullopt when the BTF is valid but has no LUO structs (a kernel without
// LUO). A blob libbpf refuses, or structs shaped unlike mainline's, are errors.
Result<std::optional<RegistrationLayout>> layout_from_btf(Bytes btf, unsigned pointer_size);

// Mainline's layout for a pointer size: the handler's size is exact (ops,
// compatible, two list heads); an FLB's private state holds a struct mutex
// whose size depends on the configuration, so only its least size is known.
RegistrationLayout documented_layout(unsigned pointer_size);

}  // namespace lucompat
