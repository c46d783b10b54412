// The registration layout read from BTF with libbpf. BTF describes the very
// build the objects come from, so its sizes and offsets beat any documented
// layout (a debug mutex grows an FLB; a new member moves the list heads).
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string_view>

#include "lucompat/derive/registration_layout.h"

namespace lucompat {
namespace {

// The type names of mainline's include/linux/liveupdate.h: the ABI itself,
// not names of objects (those vary, and are never looked up by name).
constexpr const char* kHandler = "liveupdate_file_handler";
constexpr const char* kFileOps = "liveupdate_file_ops";
constexpr const char* kFlb = "liveupdate_flb";
constexpr const char* kFlbOps = "liveupdate_flb_ops";

struct BtfFree {
  void operator()(btf* b) const { btf__free(b); }
};
using BtfPtr = std::unique_ptr<btf, BtfFree>;

// libbpf prints its parse errors to stderr; ours go through Error instead.
int quiet(enum libbpf_print_level, const char*, va_list) { return 0; }

[[noreturn]] void bad(std::string message) {
  fail(ErrorKind::malformed, std::nullopt, std::move(message));
}

// The type behind typedefs and qualifiers.
const btf_type* resolved(const btf* b, uint32_t id, uint32_t* out_id = nullptr) {
  const int r = btf__resolve_type(b, id);
  if (r < 0) return nullptr;
  if (out_id != nullptr) *out_id = static_cast<uint32_t>(r);
  return btf__type_by_id(b, static_cast<uint32_t>(r));
}

std::string_view type_name(const btf* b, const btf_type* t) {
  const char* n = btf__name_by_offset(b, t->name_off);
  return n != nullptr ? n : "";
}

// The struct a pointer member points to, by name; empty when it is no such pointer.
std::string_view pointee_struct(const btf* b, uint32_t member_type) {
  const btf_type* p = resolved(b, member_type);
  if (p == nullptr || !btf_is_ptr(p)) return {};
  // A kernel built without modules only declares struct module: its BTF
  // holds a forward declaration (kflag 0: a struct, not a union), which
  // btf__resolve_type refuses to resolve, so it is taken as it stands.
  const btf_type* s = resolved(b, p->type);
  if (s == nullptr) s = btf__type_by_id(b, p->type);
  if (s == nullptr || !(btf_is_struct(s) || (btf_is_fwd(s) && !btf_kflag(s)))) return {};
  return type_name(b, s);
}

bool points_to_function(const btf* b, uint32_t member_type) {
  const btf_type* p = resolved(b, member_type);
  if (p == nullptr || !btf_is_ptr(p)) return false;
  const btf_type* f = resolved(b, p->type);
  return f != nullptr && btf_is_func_proto(f);
}

const btf_type* find_struct(const btf* b, const char* name) {
  const int id = btf__find_by_name_kind(b, name, BTF_KIND_STRUCT);
  if (id <= 0) return nullptr;
  return btf__type_by_id(b, static_cast<uint32_t>(id));
}

OpsLayout ops_layout(const btf* b, const char* name, unsigned pointer_size) {
  const btf_type* t = find_struct(b, name);
  if (t == nullptr) bad(fmt::format("the BTF has no struct {}", name));
  OpsLayout ops;
  ops.size = t->size;
  const btf_member* m = btf_members(t);
  const unsigned n = btf_vlen(t);
  for (unsigned i = 0; i < n; ++i) {
    const std::string_view member = btf__name_by_offset(b, m[i].name_off);
    const uint64_t bit = btf_member_bit_offset(t, i);
    if (bit % 8 != 0) bad(fmt::format("struct {}: member {} is a bit field", name, member));
    if (member == "owner") {
      if (i + 1 != n || pointee_struct(b, m[i].type) != "module")
        bad(fmt::format("struct {}: owner is not its last member, a struct module pointer", name));
      ops.owner_offset = bit / 8;
    } else if (points_to_function(b, m[i].type) &&
               bit / 8 == ops.functions * uint64_t{pointer_size}) {
      ++ops.functions;
    } else {
      bad(fmt::format("struct {}: member {} is not a function pointer in sequence", name, member));
    }
  }
  if (ops.functions == 0 || ops.owner_offset == 0 || ops.size != ops.owner_offset + pointer_size)
    bad(fmt::format("struct {} is not function pointers followed by an owner", name));
  return ops;
}

// The byte offset of a member reached through nested structs ("private.list"),
// or nullopt when the path does not name a byte-aligned member.
std::optional<uint64_t> member_offset(const btf* b, const btf_type* t, std::string_view path) {
  uint64_t offset = 0;
  while (!path.empty()) {
    if (t == nullptr || !btf_is_struct(t)) return std::nullopt;
    const size_t dot = path.find('.');
    const std::string_view want = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    const btf_member* m = btf_members(t);
    const btf_type* next = nullptr;
    for (unsigned i = 0; i < btf_vlen(t) && next == nullptr; ++i) {
      const char* n = btf__name_by_offset(b, m[i].name_off);
      if (n == nullptr || want != n) continue;
      const uint64_t bit = btf_member_bit_offset(t, i);
      if (bit % 8 != 0) return std::nullopt;
      offset += bit / 8;
      next = resolved(b, m[i].type);
      if (next == nullptr) return std::nullopt;
    }
    if (next == nullptr) return std::nullopt;
    t = next;
  }
  return offset;
}

ObjectLayout object_layout(const btf* b, const btf_type* t, const char* name, const char* ops_name,
                           unsigned pointer_size, bool tail_is_zero, std::string_view link) {
  ObjectLayout o;
  o.size = t->size;
  o.exact = true;
  bool has_ops = false, has_compatible = false;
  const btf_member* m = btf_members(t);
  const unsigned n = btf_vlen(t);
  for (unsigned i = 0; i < n; ++i) {
    const std::string_view member = btf__name_by_offset(b, m[i].name_off);
    const uint64_t bit = btf_member_bit_offset(t, i);
    if (bit % 8 != 0) continue;
    if (member == "ops") {
      if (pointee_struct(b, m[i].type) != ops_name)
        bad(fmt::format("struct {}: ops does not point to struct {}", name, ops_name));
      o.ops_offset = bit / 8;
      has_ops = true;
    } else if (member == "compatible") {
      const btf_type* a = resolved(b, m[i].type);
      const int64_t size = btf__resolve_size(b, m[i].type);
      if (a == nullptr || !btf_is_array(a) || size <= 0)
        bad(fmt::format("struct {}: compatible is not a character array", name));
      o.compatible_offset = bit / 8;
      o.compatible_size = static_cast<uint64_t>(size);
      has_compatible = true;
    } else if (has_compatible && o.zero_from == 0 && tail_is_zero) {
      o.zero_from = bit / 8;
    }
  }
  if (!has_ops || !has_compatible) bad(fmt::format("struct {} lacks ops or compatible", name));
  if (o.ops_offset + pointer_size > o.size || o.compatible_offset + o.compatible_size > o.size)
    bad(fmt::format("struct {}: a member lies beyond its size {}", name, o.size));
  o.ops = ops_layout(b, ops_name, pointer_size);
  o.link_offset = member_offset(b, t, link);
  if (o.link_offset && *o.link_offset + 2 * uint64_t{pointer_size} > o.size)
    bad(fmt::format("struct {}: {} lies beyond its size {}", name, link, o.size));
  return o;
}

}  // namespace

Result<std::optional<RegistrationLayout>> layout_from_btf(Bytes bytes, unsigned pointer_size) {
  static std::once_flag once;
  std::call_once(once, [] { libbpf_set_print(quiet); });
  if (bytes.size() > std::numeric_limits<uint32_t>::max())
    return Error{ErrorKind::limit, {}, std::nullopt, "the BTF is larger than 4 GiB"};
  errno = 0;
  BtfPtr b(btf__new(bytes.data(), static_cast<uint32_t>(bytes.size())));
  if (!b)
    return Error{
        ErrorKind::malformed,
        {},
        std::nullopt,
        fmt::format("libbpf cannot read the .BTF: {}", std::strerror(errno == 0 ? EINVAL : errno))};
  return catch_parse_errors([&]() -> std::optional<RegistrationLayout> {
    const btf_type* handler = find_struct(b.get(), kHandler);
    const btf_type* flb = find_struct(b.get(), kFlb);
    if (handler == nullptr && flb == nullptr) return std::nullopt;
    if (handler == nullptr || flb == nullptr)
      bad(fmt::format("the BTF has struct {} but not struct {}", handler ? kHandler : kFlb,
                      handler ? kFlb : kHandler));
    RegistrationLayout l;
    l.pointer_size = pointer_size;
    l.source = "BTF";
    l.handler = object_layout(b.get(), handler, kHandler, kFileOps, pointer_size, true, "list");
    l.flb = object_layout(b.get(), flb, kFlb, kFlbOps, pointer_size, false, "private.list");
    return l;
  });
}

RegistrationLayout documented_layout(unsigned pointer_size) {
  const uint64_t p = pointer_size;
  constexpr uint64_t kCompatible = 48;  // LIVEUPDATE_{HNDL,FLB}_COMPAT_LENGTH
  RegistrationLayout l;
  l.pointer_size = pointer_size;
  l.source = "documented layout";
  // ops, compatible[48], then two list heads (two pointers each).
  l.handler = {p + kCompatible + 4 * p, true, 0, p, kCompatible, p + kCompatible, p + kCompatible,
               {10 * p, 9, 9 * p}};
  // ops, compatible[48], then at least the private state, which opens with its list head.
  l.flb = {p + kCompatible + 2 * p, false, 0, p, kCompatible, 0, p + kCompatible,
           {5 * p, 4, 4 * p}};
  return l;
}

}  // namespace lucompat
