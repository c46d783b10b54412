#include "lucompat/derive/registration_list.h"

#include <fmt/format.h>

#include <unordered_set>

#include "lucompat/base/byte_reader.h"
#include "lucompat/derive/object_matcher.h"

namespace lucompat {
namespace {

[[noreturn]] void corrupt(uint64_t address, std::string message) {
  fail(ErrorKind::malformed, std::nullopt,
       fmt::format("kernel address {:#x}: {}", address, message));
}

}  // namespace

std::vector<std::byte> read_memory(const KernelMemory& memory, uint64_t address, uint64_t size) {
  auto bytes = memory.read(address, size);
  if (!bytes) throw ParseError(std::move(bytes).error());
  return std::move(bytes).value();
}

uint64_t read_pointer(const KernelMemory& memory, uint64_t address) {
  const unsigned p = memory.pointer_size();
  const std::vector<std::byte> bytes = read_memory(memory, address, p);
  const ByteReader r(bytes, memory.order());
  return p == 8 ? r.u64(0, "pointer") : uint64_t{r.u32(0, "pointer")};
}

std::vector<uint64_t> walk_list(const KernelMemory& memory, uint64_t head, size_t max_nodes) {
  const uint64_t p = memory.pointer_size();
  std::vector<uint64_t> nodes;
  std::unordered_set<uint64_t> seen{head};
  uint64_t prev = head;
  for (uint64_t node = read_pointer(memory, head); node != head;) {
    if (node == 0) corrupt(prev, "a list node's next pointer is NULL: the list is corrupt");
    if (!seen.insert(node).second)
      corrupt(node, "the list loops back to a node other than its head: it is corrupt");
    if (nodes.size() == max_nodes)
      corrupt(head, fmt::format("the list has more than {} nodes", max_nodes));
    // list_head is { next, prev }: a node that does not point back at its
    // predecessor was freed (a module unloaded without unregistering) or is
    // being changed as we read.
    const uint64_t back = read_pointer(memory, node + p);
    if (back != prev)
      corrupt(node, fmt::format("the node's prev pointer is {:#x}, not its predecessor {:#x}: the "
                                "list is corrupt or changed during the walk",
                                back, prev));
    nodes.push_back(node);
    prev = node;
    node = read_pointer(memory, node);
  }
  const uint64_t last = read_pointer(memory, head + p);
  if (last != prev)
    corrupt(head,
            fmt::format("the head's prev pointer is {:#x}, not the last node {:#x}", last, prev));
  return nodes;
}

std::vector<RegisteredObject> read_registered(const KernelMemory& memory, uint64_t head,
                                              EntryKind kind, const LuoModel& layout,
                                              size_t max_nodes) {
  const ObjectLayout& o = kind == EntryKind::flb ? layout.flb : layout.handler;
  const std::string_view what = kind == EntryKind::flb ? "FLB" : "file handler";
  if (!o.link_offset)
    fail(ErrorKind::unsupported, std::nullopt,
         fmt::format("the {} layout ({}) does not say where its list head sits", what,
                     layout.source));
  std::vector<RegisteredObject> out;
  for (const uint64_t node : walk_list(memory, head, max_nodes)) {
    RegisteredObject r;
    r.kind = kind;
    r.address = node - *o.link_offset;
    const auto compatible =
        compatible_in(read_memory(memory, r.address + o.compatible_offset, o.compatible_size));
    if (!compatible)
      corrupt(r.address, fmt::format("the registered {} has no valid compatible string", what));
    r.compatible = *compatible;
    const uint64_t ops = read_pointer(memory, r.address + o.ops_offset);
    if (ops == 0)
      corrupt(r.address, fmt::format("the registered {} {} has no ops", what, r.compatible));
    r.owner = read_pointer(memory, ops + o.ops.owner_offset);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace lucompat
