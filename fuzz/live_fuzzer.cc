// The live query's readers on what a corrupt, or changing, running kernel
// could show: /proc/kallsyms text, then (after a NUL) a kernel memory image
// whose first 8 bytes are a list head's offset in it. The list walks must
// end (loops, caps) and read nothing outside the memory they are given.
// The whole live derivation then reads that kernel as `inspect --running`
// does (the documented 7.3.4 layout, the memory as its read-only data), and
// check never calls an update from it compatible that it cannot prove
// loses nothing (verdict_oracle.h).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "lucompat/derive/registration_list.h"
#include "lucompat/host/live_kernel.h"
#include "lucompat/host/proc_kallsyms.h"
#include "verdict_oracle.h"

namespace {

constexpr uint64_t kBase = 0xffffffff81000000;

class Memory : public lucompat::KernelMemory {
 public:
  explicit Memory(lucompat::Bytes bytes) : bytes_(bytes) {}
  lucompat::Result<std::vector<std::byte>> read(uint64_t address, uint64_t size) const override {
    if (address < kBase || address - kBase > bytes_.size() ||
        size > bytes_.size() - (address - kBase))
      return lucompat::Error{lucompat::ErrorKind::malformed, "memory", address, "unmapped"};
    const auto b = bytes_.subspan(address - kBase, size);
    return std::vector<std::byte>(b.begin(), b.end());
  }
  unsigned pointer_size() const override { return 8; }
  lucompat::ByteOrder order() const override { return lucompat::ByteOrder::little; }

 private:
  lucompat::Bytes bytes_;
};

// The running kernel the input shows, read as inspect_running reads one.
void check_running(const Memory& m, lucompat::Bytes memory, const lucompat::ProcKallsyms& k) {
  const lucompat::Catalog& catalog = lucompat::fuzz::shipped_catalog();
  lucompat::LiveQuery query = lucompat::live_query_from(catalog, lucompat::SystemRoot());
  query.max_nodes = 64;
  lucompat::LiveEvidence ev = lucompat::live_evidence(m, k, query, "7.3.4");
  lucompat::MemoryImage rodata;
  rodata.regions.push_back({kBase, 0, memory, lucompat::RegionKind::rodata});
  ev.rodata = &rodata;
  auto set = lucompat::derive_running(ev, query.core_forms);
  if (!set) return;
  lucompat::Inspection running;
  running.kind = lucompat::InputKind::kernel;
  running.arch = "x86_64";
  running.byte_order = lucompat::ByteOrder::little;
  running.identity.release = "7.3.4";
  running.derived = std::move(set).value();
  lucompat::fuzz::check_verdict(running);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const size_t nul = all.find('\0');
  auto k = lucompat::parse_proc_kallsyms(all.substr(0, nul), "fuzz");
  if (k && k->size() > 0) {
    (void)k->kernel_address("luo_file_handler_list");
    (void)k->module_at(kBase);
    (void)k->symbol_holding(kBase + size);
  }
  if (nul == std::string_view::npos || size - nul - 1 < 8) return 0;
  const lucompat::Bytes memory(reinterpret_cast<const std::byte*>(data) + nul + 1, size - nul - 1);
  uint64_t head = 0;
  std::memcpy(&head, memory.data(), sizeof head);
  const Memory m(memory);
  const lucompat::LuoModel layout = lucompat::documented_model("7.3.4", 8);
  for (auto kind : {lucompat::EntryKind::file, lucompat::EntryKind::flb}) {
    try {
      (void)lucompat::read_registered(m, kBase + head % memory.size(), kind, layout, 64);
    } catch (const lucompat::ParseError&) {  // a corrupt list: the expected failure
    }
  }
  if (k) check_running(m, memory, *k);
  return 0;
}
