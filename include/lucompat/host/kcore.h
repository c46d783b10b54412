// The running kernel's memory through /proc/kcore: an ELF core file whose
// PT_LOAD segments map kernel virtual addresses to file offsets. Reads are
// pread()s of exactly what is asked, never the whole (terabyte-sized) file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lucompat/base/fd.h"
#include "lucompat/derive/registration_list.h"
#include "lucompat/elf/elf_reader.h"

namespace lucompat {

class Kcore : public KernelMemory {
 public:
  // Opens and reads the headers. A missing file, a refused open (not root,
  // lockdown) and a malformed header are errors that say which.
  static Result<std::unique_ptr<Kcore>> open(const std::string& path);

  Result<std::vector<std::byte>> read(uint64_t address, uint64_t size) const override;
  unsigned pointer_size() const override { return pointer_size_; }
  ByteOrder order() const override { return order_; }
  uint16_t machine() const { return machine_; }  // e_machine: the kernel's architecture

 private:
  Kcore(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  Fd fd_;
  unsigned pointer_size_ = 8;
  ByteOrder order_ = ByteOrder::little;
  uint16_t machine_ = 0;
  std::vector<LoadSegment> segments_;
};

}  // namespace lucompat
