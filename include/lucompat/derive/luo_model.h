// The objects a Live Update Orchestrator kernel registers and keeps
// (include/linux/liveupdate.h, kernel/liveupdate/): a file handler or an FLB
// starts with a pointer to its ops in read-only data, followed by its inline
// compatible string; the running kernel links them into lists, and keeps its
// outgoing sessions and their files in lists too. One model of all of them,
// read from the build's own BTF when it has one, else from the layout
// documented for the kernel's version: a new layout is one more entry in
// documented_model() and its test.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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

// What a running kernel keeps of its outgoing sessions (luo_session.c,
// luo_file.c): struct luo_session { name[], list, file_set.files_list } and
// struct luo_file { fh, list, token }. Private structs whose mutexes grow
// with lock debugging: known only from the build's BTF.
struct SessionLayout {
  uint64_t name_offset = 0;
  uint64_t name_size = 0;
  uint64_t link_offset = 0;          // luo_session.list
  uint64_t files_offset = 0;         // luo_session.file_set.files_list
  uint64_t file_handler_offset = 0;  // luo_file.fh
  uint64_t file_link_offset = 0;     // luo_file.list
  uint64_t file_token_offset = 0;    // luo_file.token
  // struct luo_flb_link { flb, list }: a handler's FLBs hang from its
  // flb_list (liveupdate_file_handler.flb_list) through these.
  std::optional<uint64_t> handler_flbs_offset;
  uint64_t flb_link_flb_offset = 0;
  uint64_t flb_link_list_offset = 0;
};

struct ParsedBtf;  // the build's BTF, kept for member lookups

struct LuoModel {
  unsigned pointer_size = 8;
  ObjectLayout handler;
  ObjectLayout flb;
  std::optional<SessionLayout> sessions;
  // "BTF", or which documented layout: said in every report that rests on it.
  std::string source;

  // The byte offset of a member path inside a kernel struct, e.g.
  // ("luo_flb_global", "list"): from BTF when the model came from it, else
  // from the documented layout; nullopt when neither knows it.
  std::optional<uint64_t> member_offset(std::string_view struct_name,
                                        std::string_view member_path) const;

  std::shared_ptr<const ParsedBtf> btf;                  // null for a documented model
  std::map<std::string, uint64_t, std::less<>> members;  // documented "struct.member" offsets
};

// The model in a BTF blob (a vmlinux's .BTF, or /sys/kernel/btf/vmlinux);
// nullopt when the BTF is valid but has no LUO structs (a kernel built
// without LUO). A blob libbpf refuses, or structs shaped unlike mainline's,
// are errors.
std::optional<LuoModel> model_from_btf(Bytes btf, unsigned pointer_size);

// The layout documented for a kernel release ("7.3.4", "6.1.192"): the
// mainline-shape corpus (6.1, before LUO was merged) and real LUO kernels
// (6.19 on, checked against 7.2 and 7.3). A handler's size is exact (ops,
// compatible, two list heads); an FLB's private state holds a struct mutex
// whose size depends on the configuration, so only its least size is known.
// Sessions are never documented (see SessionLayout). An empty or unparsable
// release gets the layout both share, with no list members.
LuoModel documented_model(std::string_view release, unsigned pointer_size);

}  // namespace lucompat
