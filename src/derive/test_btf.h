// BTF for tests, written with libbpf's own writer: what a build's
// /sys/kernel/btf/vmlinux or .BTF says of LUO's structs.
#pragma once

#include <bpf/btf.h>

#include <cstddef>
#include <vector>

namespace lucompat {

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
  const int flb_ops = btf__add_struct(b, "liveupdate_flb_ops", 40);
  const char* flb_names[] = {"preserve", "unpreserve", "retrieve", "finish"};
  for (unsigned i = 0; i < 4; ++i) btf__add_field(b, flb_names[i], fnp, i * 64, 0);
  btf__add_field(b, "owner", module_p, 4 * 64, 0);

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

  uint32_t size = 0;
  const auto* raw = static_cast<const std::byte*>(btf__raw_data(b, &size));
  std::vector<std::byte> out(raw, raw + size);
  btf__free(b);
  return out;
}

}  // namespace lucompat
