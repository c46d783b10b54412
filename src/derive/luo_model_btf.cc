// The LUO model read from BTF with libbpf. BTF describes the very build the
// objects come from, so its sizes and offsets beat any documented layout (a
// debug mutex grows an FLB; a new member moves the list heads).
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string_view>

#include "lucompat/base/byte_order.h"
#include "lucompat/derive/luo_model.h"

namespace lucompat {
namespace {

// The type names of mainline's include/linux/liveupdate.h: the ABI itself,
// not names of objects (those vary, and are never looked up by name).
constexpr const char* kHandler = "liveupdate_file_handler";
constexpr const char* kFileOps = "liveupdate_file_ops";
constexpr const char* kFlb = "liveupdate_flb";
constexpr const char* kFlbOps = "liveupdate_flb_ops";

// Whether the string section of a well-formed header holds none of `names`
// (each as a string's tail: a type's name points at a NUL-terminated
// string). libbpf copies and indexes the whole BTF, 5.5 MiB of heap for a
// distribution kernel's, only to find no LUO struct; no struct can bear a
// name the strings lack. A header that cannot be read is left to libbpf.
bool strings_lack(Bytes btf, std::initializer_list<std::string_view> names) {
  constexpr size_t kHeader = 24;  // struct btf_header up to str_len
  constexpr uint16_t kMagic = 0xeb9f;
  if (btf.size() < kHeader) return false;
  const ByteOrder order =
      load<uint16_t>(btf.data(), ByteOrder::little) == kMagic ? ByteOrder::little : ByteOrder::big;
  if (load<uint16_t>(btf.data(), order) != kMagic) return false;
  const uint64_t start = uint64_t{load<uint32_t>(btf.data() + 4, order)} +  // hdr_len
                         load<uint32_t>(btf.data() + 16, order);            // str_off
  const uint64_t size = load<uint32_t>(btf.data() + 20, order);             // str_len
  if (start > btf.size() || size > btf.size() - start) return false;
  const std::string_view strings(reinterpret_cast<const char*>(btf.data() + start), size);
  return std::none_of(names.begin(), names.end(), [&](std::string_view n) {
    return strings.find(std::string(n) + '\0') != std::string_view::npos;
  });
}

}  // namespace

struct ParsedBtf {
  struct Free {
    void operator()(btf* b) const { btf__free(b); }
  };
  std::unique_ptr<struct btf, Free> btf;
};

namespace {

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
std::optional<uint64_t> btf_member_offset(const btf* b, const btf_type* t, std::string_view path) {
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
                           unsigned pointer_size, std::string_view link) {
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
    } else if (has_compatible && o.zero_from == 0) {
      o.zero_from = bit / 8;
    }
  }
  if (!has_ops || !has_compatible) bad(fmt::format("struct {} lacks ops or compatible", name));
  if (o.ops_offset + pointer_size > o.size || o.compatible_offset + o.compatible_size > o.size)
    bad(fmt::format("struct {}: a member lies beyond its size {}", name, o.size));
  o.ops = ops_layout(b, ops_name, pointer_size);
  o.link_offset = btf_member_offset(b, t, link);
  if (o.link_offset && *o.link_offset + 2 * uint64_t{pointer_size} > o.size)
    bad(fmt::format("struct {}: {} lies beyond its size {}", name, link, o.size));
  return o;
}

// struct luo_session, luo_file and luo_flb_link by their members' names;
// nullopt when the build lacks one (another version's sessions).
std::optional<SessionLayout> session_layout(const btf* b, const btf_type* handler) {
  const btf_type* session = find_struct(b, "luo_session");
  const btf_type* file = find_struct(b, "luo_file");
  if (session == nullptr || file == nullptr) return std::nullopt;
  const auto name = btf_member_offset(b, session, "name");
  const auto link = btf_member_offset(b, session, "list");
  const auto files = btf_member_offset(b, session, "file_set.files_list");
  const auto fh = btf_member_offset(b, file, "fh");
  const auto file_link = btf_member_offset(b, file, "list");
  const auto token = btf_member_offset(b, file, "token");
  if (!name || !link || !files || !fh || !file_link || !token) return std::nullopt;
  SessionLayout s;
  for (unsigned i = 0; i < btf_vlen(session); ++i)
    if (std::string_view(btf__name_by_offset(b, btf_members(session)[i].name_off)) == "name")
      s.name_size = static_cast<uint64_t>(
          std::max<int64_t>(0, btf__resolve_size(b, btf_members(session)[i].type)));
  if (s.name_size == 0) return std::nullopt;
  s.name_offset = *name;
  s.link_offset = *link;
  s.files_offset = *files;
  s.file_handler_offset = *fh;
  s.file_link_offset = *file_link;
  s.file_token_offset = *token;
  // A handler's FLBs: its flb_list of struct luo_flb_link { flb, list }.
  const btf_type* flb_link = find_struct(b, "luo_flb_link");
  const auto flbs = btf_member_offset(b, handler, "flb_list");
  const auto flb = flb_link ? btf_member_offset(b, flb_link, "flb") : std::nullopt;
  const auto flb_list = flb_link ? btf_member_offset(b, flb_link, "list") : std::nullopt;
  if (flbs && flb && flb_list) {
    s.handler_flbs_offset = *flbs;
    s.flb_link_flb_offset = *flb;
    s.flb_link_list_offset = *flb_list;
  }
  return s;
}

}  // namespace

std::optional<uint64_t> LuoModel::member_offset(std::string_view struct_name,
                                                std::string_view member_path) const {
  if (btf) {
    const struct btf* b = btf->btf.get();
    const int id = btf__find_by_name_kind(b, std::string(struct_name).c_str(), BTF_KIND_STRUCT);
    if (id <= 0) return std::nullopt;
    return btf_member_offset(b, btf__type_by_id(b, static_cast<uint32_t>(id)), member_path);
  }
  const auto it = members.find(fmt::format("{}.{}", struct_name, member_path));
  if (it == members.end()) return std::nullopt;
  return it->second;
}

std::optional<LuoModel> model_from_btf(Bytes bytes, unsigned pointer_size) {
  static std::once_flag once;
  std::call_once(once, [] { libbpf_set_print(quiet); });
  if (bytes.size() > std::numeric_limits<uint32_t>::max())
    fail(ErrorKind::limit, std::nullopt, "the BTF is larger than 4 GiB");
  if (strings_lack(bytes, {kHandler, kFlb})) return std::nullopt;
  errno = 0;
  std::unique_ptr<btf, ParsedBtf::Free> b(
      btf__new(bytes.data(), static_cast<uint32_t>(bytes.size())));
  if (!b)
    fail(
        ErrorKind::malformed, std::nullopt,
        fmt::format("libbpf cannot read the .BTF: {}", std::strerror(errno == 0 ? EINVAL : errno)));
  const btf_type* handler = find_struct(b.get(), kHandler);
  const btf_type* flb = find_struct(b.get(), kFlb);
  if (handler == nullptr && flb == nullptr) return std::nullopt;
  if (handler == nullptr || flb == nullptr)
    bad(fmt::format("the BTF has struct {} but not struct {}", handler ? kHandler : kFlb,
                    handler ? kFlb : kHandler));
  LuoModel l;
  l.pointer_size = pointer_size;
  l.source = "BTF";
  l.handler = object_layout(b.get(), handler, kHandler, kFileOps, pointer_size, "list");
  l.flb = object_layout(b.get(), flb, kFlb, kFlbOps, pointer_size, "private.list");
  l.sessions = session_layout(b.get(), handler);
  auto parsed = std::make_shared<ParsedBtf>();
  parsed->btf = std::move(b);
  l.btf = std::move(parsed);
  return l;
}

namespace {

// "7.3.4" -> {7, 3}; nullopt when it does not start with two numbers.
std::optional<std::pair<unsigned, unsigned>> major_minor(std::string_view release) {
  unsigned major = 0, minor = 0;
  const char* end = release.data() + release.size();
  auto [p, ec] = std::from_chars(release.data(), end, major);
  if (ec != std::errc{} || p == end || *p != '.') return std::nullopt;
  auto [q, ec2] = std::from_chars(p + 1, end, minor);
  if (ec2 != std::errc{}) return std::nullopt;
  return std::pair{major, minor};
}

}  // namespace

LuoModel documented_model(std::string_view release, unsigned pointer_size) {
  const uint64_t p = pointer_size;
  constexpr uint64_t kCompatible = 48;  // LIVEUPDATE_{HNDL,FLB}_COMPAT_LENGTH
  LuoModel l;
  l.pointer_size = pointer_size;
  // ops, compatible[48], then two list heads (two pointers each).
  l.handler = {p + kCompatible + 4 * p, true, 0, p, kCompatible, p + kCompatible, p + kCompatible,
               {10 * p, 9, 9 * p}};
  // ops, compatible[48], then the private state, which registration fills
  // in like a handler's list heads. Its size grows with lock debugging, so
  // only its least size is known, with no padding and the least mutex (an
  // owner and a waiter pointer on a UP kernel without spinning): a list
  // head, two states of a count (4), data (8), obj, mutex, finished and a
  // last flag (1 each), users (4), initialized (1). 6.1's imitation and 7.3
  // (192 bytes on 64-bit) are both larger; the least size keeps a handler,
  // whose ops could pass as an FLB's, from reading as one.
  const uint64_t state = 4 + 8 + p + 2 * p + 1 + 1;
  const uint64_t flb_private = 2 * p + 2 * state + 4 + 1;
  l.flb = {p + kCompatible + flb_private,
           false,
           0,
           p,
           kCompatible,
           p + kCompatible,
           p + kCompatible,
           {5 * p, 4, 4 * p}};
  const auto version = major_minor(release);
  if (!version) {
    l.source = "documented layout";
  } else if (*version < std::pair{6u, 19u}) {
    // The mainline-shape corpus: a 6.1 kernel imitating LUO, whose FLBs
    // hang from a list head of their own (luo_flb_list).
    l.source = "documented layout (6.1 shape)";
  } else {
    l.source = "documented layout (6.19 on)";
    // kernel/liveupdate/luo_flb.c: struct luo_flb_global { struct
    // luo_flb_header incoming, outgoing; struct list_head list; long count; }
    // with a header of two pointers and a bool, so `list` follows six words.
    if (pointer_size == 8) l.members.emplace("luo_flb_global.list", 6 * p);
  }
  return l;
}

}  // namespace lucompat
