// Reading what a running kernel has registered: its lists of file handlers
// and FLBs walked node by node through its memory (as drgn walks a list),
// each node checked before it is trusted. The memory is an interface, so the
// walk is the same over /proc/kcore and over a test's bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lucompat/base/byte_order.h"
#include "lucompat/base/result.h"
#include "lucompat/derive/luo_model.h"
#include "lucompat/table/version_table.h"

namespace lucompat {

// A kernel's memory by virtual address.
class KernelMemory {
 public:
  virtual ~KernelMemory() = default;
  // Exactly `size` bytes at `address`, or an error naming the address.
  virtual Result<std::vector<std::byte>> read(uint64_t address, uint64_t size) const = 0;
  virtual unsigned pointer_size() const = 0;
  virtual ByteOrder order() const = 0;
};

// Inside this layer, as in every decoding layer, a failure is a thrown
// ParseError (docs/architecture.md, "Errors"); these read through the
// memory's Result, which is where the layer meets I/O.

// Exactly `size` bytes at `address`.
std::vector<std::byte> read_memory(const KernelMemory& memory, uint64_t address, uint64_t size);

// The pointer at `address`.
uint64_t read_pointer(const KernelMemory& memory, uint64_t address);

// The nodes of the `struct list_head` list whose head is at `head`, in list
// order, the head excluded. Every node's `prev` must point back at the node
// before it (what CONFIG_DEBUG_LIST checks): a list that is corrupt, or
// changing under the walk, or longer than `max_nodes`, is an error, never a
// partial answer.
std::vector<uint64_t> walk_list(const KernelMemory& memory, uint64_t head, size_t max_nodes);

// One registered handler or FLB, read from the running kernel.
struct RegisteredObject {
  EntryKind kind = EntryKind::file;
  uint64_t address = 0;  // of the object
  std::string compatible;
  uint64_t owner = 0;  // its ops' `struct module *owner`: 0 for the kernel itself
};

// Every object on the list at `head`, which links `kind` objects of `model`
// by their link_offset. An object whose compatible is not a valid string or
// whose ops cannot be read is an error.
std::vector<RegisteredObject> read_registered(const KernelMemory& memory, uint64_t head,
                                              EntryKind kind, const LuoModel& model,
                                              size_t max_nodes);

}  // namespace lucompat
