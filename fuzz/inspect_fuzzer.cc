// The whole inspect pipeline from memory: every container probe, every codec,
// the sparse stream capture, the ELF and raw readers. Caps are small so that
// an input that expands is an error quickly, not a slow run. Each input is
// read twice: whole, and with early exit (which leaves a cut ELF).
//
// Oracles beyond "no crash": an error's offset into the input lies inside
// it; an uncompressed input's table entries lie inside it, and an RFC entry
// is there, NUL-terminated, at its offset; a derived table (from its symbols,
// its kallsyms or a scan) holds only strings the input spells, NUL-terminated
// (derived_oracle.h); a table that early exit finds is the one the whole
// reading finds; check never calls an update from either reading compatible
// that it cannot prove loses nothing (verdict_oracle.h).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "derived_oracle.h"
#include "lucompat/inspect/inspect.h"
#include "verdict_oracle.h"

namespace {

using lucompat::Bytes;
using lucompat::Inspection;
using lucompat::Result;

void check_error(const lucompat::Error& e, size_t size) {
  if (e.context.empty() && e.offset && *e.offset > size) __builtin_trap();
}

// Entries of an input read as it is (no container, no decompression) point
// at their own bytes.
void check_entries(const Inspection& in, Bytes bytes) {
  if (!in.chain.empty()) return;
  if (in.derived) lucompat::fuzz::check_derived(*in.derived, bytes);
  if (!in.table) return;
  for (const auto& e : in.table->table.entries) {
    if (e.offset > bytes.size()) __builtin_trap();
    // A composite or integer entry is decoded, not spelled, at its offset.
    if (e.compatible.find_first_of(";@") != std::string::npos) continue;
    const std::string_view here(reinterpret_cast<const char*>(bytes.data()) + e.offset,
                                bytes.size() - e.offset);
    if (here.substr(0, e.compatible.size()) != e.compatible || here.size() == e.compatible.size() ||
        here[e.compatible.size()] != '\0')
      __builtin_trap();
  }
}

std::optional<std::vector<std::string>> compatibles(const Result<Inspection>& r) {
  if (!r || !lucompat::has_version_set(*r)) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& e : lucompat::declared_entries(*r)) out.push_back(e.compatible);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lucompat::InspectOptions options;
  options.unwrap.max_output = 8u << 20;
  const Bytes bytes(reinterpret_cast<const std::byte*>(data), size);
  const Result<Inspection> whole = lucompat::inspect_bytes("fuzz", bytes, options);
  options.unwrap.early_exit = true;
  const Result<Inspection> early = lucompat::inspect_bytes("fuzz", bytes, options);
  for (const Result<Inspection>* r : {&whole, &early}) {
    if (!*r)
      check_error(r->error(), size);
    else {
      check_entries(r->value(), bytes);
      lucompat::fuzz::check_verdict(r->value());
    }
  }
  const auto a = compatibles(whole), b = compatibles(early);
  if (b && a && *a != *b) __builtin_trap();
  return 0;
}
