// BTF for tests, written with libbpf's own writer: what a build's
// /sys/kernel/btf/vmlinux or .BTF says of LUO's structs.
#pragma once

#include <bpf/btf.h>

#include <cstddef>
#include <string>
#include <vector>

namespace lucompat {

// The blob a BTF writer holds, freed.
inline std::vector<std::byte> btf_bytes(btf* b) {
  uint32_t size = 0;
  const auto* raw = static_cast<const std::byte*>(btf__raw_data(b, &size));
  std::vector<std::byte> out(raw, raw + size);
  btf__free(b);
  return out;
}

// struct liveupdate_flb_ops: four functions, then the owner. Its id.
inline int add_flb_ops(btf* b, int function_pointer, int module_pointer) {
  const int flb_ops = btf__add_struct(b, "liveupdate_flb_ops", 40);
  const char* names[] = {"preserve", "unpreserve", "retrieve", "finish"};
  for (unsigned i = 0; i < 4; ++i) btf__add_field(b, names[i], function_pointer, i * 64, 0);
  btf__add_field(b, "owner", module_pointer, 4 * 64, 0);
  return flb_ops;
}

// BTF written with libbpf's own writer: mainline's four structs, with the
// FLB's private state reduced to an opaque blob of `flb_private` bytes.
inline std::vector<std::byte> crafted_btf(unsigned flb_private, bool owner_last = true) {
  btf* b = btf__new_empty();
  const int chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
  const int lng = btf__add_int(b, "long", 8, BTF_INT_SIGNED);
  const int fn = btf__add_func_proto(b, lng);
  const int fnp = btf__add_ptr(b, fn);
  const int module = btf__add_struct(b, "module", 0);
  const int module_p = btf__add_ptr(b, module);
  const int compat = btf__add_array(b, lng, btf__add_const(b, chr), 48);
  const int blob = btf__add_array(b, lng, chr, flb_private);

  const int file_ops = btf__add_struct(b, "liveupdate_file_ops", 80);
  const char* names[] = {"can_preserve", "preserve",   "unpreserve", "freeze", "unfreeze",
                         "retrieve",     "can_finish", "finish",     "get_id"};
  if (!owner_last) btf__add_field(b, "owner", module_p, 0, 0);
  for (unsigned i = 0; i < 9; ++i)
    btf__add_field(b, names[i], fnp, (i + (owner_last ? 0 : 1)) * 64, 0);
  if (owner_last) btf__add_field(b, "owner", module_p, 9 * 64, 0);
  const int flb_ops = add_flb_ops(b, fnp, module_p);

  // Every type a struct's fields use exists before the struct: libbpf adds
  // fields to the type added last.
  const int file_ops_p = btf__add_ptr(b, btf__add_const(b, file_ops));
  const int flb_ops_p = btf__add_ptr(b, btf__add_const(b, flb_ops));
  btf__add_struct(b, "liveupdate_file_handler", 88);
  btf__add_field(b, "ops", file_ops_p, 0, 0);
  btf__add_field(b, "compatible", compat, 64, 0);
  btf__add_field(b, "list", blob, 56 * 8, 0);
  btf__add_struct(b, "liveupdate_flb", 56 + flb_private);
  btf__add_field(b, "ops", flb_ops_p, 0, 0);
  btf__add_field(b, "compatible", compat, 64, 0);
  btf__add_field(b, "private", blob, 56 * 8, 0);
  return btf_bytes(b);
}

// What a 7.x build's BTF says of LUO on x86_64 (include/linux/liveupdate.h,
// kernel/liveupdate/): the objects, the FLB list inside luo_flb_global, the
// sessions and their files, with the offsets the corpus's real 7.3.4 kernels
// have (checked with bpftool) and opaque blobs for what lucompat never reads.
inline std::vector<std::byte> luo7_btf() {
  btf* b = btf__new_empty();
  const int chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
  const int lng = btf__add_int(b, "long", 8, BTF_INT_SIGNED);
  const int u64 = btf__add_int(b, "u64", 8, 0);
  const int fn = btf__add_func_proto(b, lng);
  const int fnp = btf__add_ptr(b, fn);
  const int module_p = btf__add_ptr(b, btf__add_struct(b, "module", 0));
  const int compat = btf__add_array(b, lng, btf__add_const(b, chr), 48);
  const int name64 = btf__add_array(b, lng, chr, 64);
  const auto blob = [&](unsigned n) { return btf__add_array(b, lng, chr, n); };
  const int list_head = btf__add_struct(b, "list_head", 16);
  const int list_p = btf__add_ptr(b, list_head);
  btf__add_field(b, "next", list_p, 0, 0);
  btf__add_field(b, "prev", list_p, 64, 0);
  const int file_ops = btf__add_struct(b, "liveupdate_file_ops", 80);
  for (unsigned i = 0; i < 9; ++i)
    btf__add_field(b, ("f" + std::to_string(i)).c_str(), fnp, i * 64, 0);
  btf__add_field(b, "owner", module_p, 9 * 64, 0);
  const int flb_ops = add_flb_ops(b, fnp, module_p);
  const int file_ops_p = btf__add_ptr(b, btf__add_const(b, file_ops));
  const int flb_ops_p = btf__add_ptr(b, btf__add_const(b, flb_ops));
  const int state = blob(56);
  const int priv = btf__add_struct(b, "luo_flb_private", 136);
  btf__add_field(b, "list", list_head, 0, 0);
  btf__add_field(b, "outgoing", state, 16 * 8, 0);
  btf__add_field(b, "incoming", state, 72 * 8, 0);
  const int handler = btf__add_struct(b, "liveupdate_file_handler", 88);
  btf__add_field(b, "ops", file_ops_p, 0, 0);
  btf__add_field(b, "compatible", compat, 64, 0);
  btf__add_field(b, "list", list_head, 56 * 8, 0);
  btf__add_field(b, "flb_list", list_head, 72 * 8, 0);
  const int flb = btf__add_struct(b, "liveupdate_flb", 192);
  btf__add_field(b, "ops", flb_ops_p, 0, 0);
  btf__add_field(b, "compatible", compat, 64, 0);
  btf__add_field(b, "private", priv, 56 * 8, 0);
  const int header = blob(24);
  const int flb_p = btf__add_ptr(b, flb), handler_p = btf__add_ptr(b, handler);
  btf__add_struct(b, "luo_flb_global", 72);
  btf__add_field(b, "incoming", header, 0, 0);
  btf__add_field(b, "outgoing", header, 24 * 8, 0);
  btf__add_field(b, "list", list_head, 48 * 8, 0);
  btf__add_field(b, "flb_link_count", lng, 64 * 8, 0);
  btf__add_struct(b, "luo_flb_link", 24);
  btf__add_field(b, "flb", flb_p, 0, 0);
  btf__add_field(b, "list", list_head, 8 * 8, 0);
  const int session_header = btf__add_struct(b, "luo_session_header", 120);
  btf__add_field(b, "count", lng, 0, 0);
  btf__add_field(b, "list", list_head, 8 * 8, 0);
  btf__add_struct(b, "luo_session_global", 240);
  btf__add_field(b, "incoming", session_header, 0, 0);
  btf__add_field(b, "outgoing", session_header, 120 * 8, 0);
  const int file_set = btf__add_struct(b, "luo_file_set", 72);
  btf__add_field(b, "files_list", list_head, 0, 0);
  btf__add_struct(b, "luo_session", 184);
  btf__add_field(b, "name", name64, 0, 0);
  btf__add_field(b, "list", list_head, 64 * 8, 0);
  btf__add_field(b, "file_set", file_set, 88 * 8, 0);
  btf__add_struct(b, "luo_file", 88);
  btf__add_field(b, "fh", handler_p, 0, 0);
  btf__add_field(b, "list", list_head, 64 * 8, 0);
  btf__add_field(b, "token", u64, 80 * 8, 0);
  return btf_bytes(b);
}

}  // namespace lucompat
