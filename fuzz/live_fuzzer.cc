// The live query's readers on what a corrupt, or changing, running kernel
// could show: /proc/kallsyms text, then (after a NUL) a kernel memory image
// whose first 8 bytes are a list head's offset in it. The list walks must
// end (loops, caps) and read nothing outside the memory they are given.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "lucompat/derive/registration_list.h"
#include "lucompat/host/proc_kallsyms.h"

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const size_t nul = all.find('\0');
  if (auto k = lucompat::parse_proc_kallsyms(all.substr(0, nul), "fuzz"); k && k->size() > 0) {
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
  for (auto kind : {lucompat::EntryKind::file, lucompat::EntryKind::flb})
    (void)lucompat::read_registered(m, kBase + head % memory.size(), kind, layout, 64);
  return 0;
}
