#include "lucompat/host/kcore.h"

#include "lucompat/elf/elf_records.h"

#include <elf.h>
#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

namespace lucompat {
namespace {

// One read is at most this much: the objects and strings the live query
// reads are bytes to megabytes (rodata of a distribution kernel: ~20 MB).
constexpr uint64_t kMaxRead = uint64_t{64} << 20;

// All `size` bytes at `offset`, or the errno of the failed pread.
int pread_all(int fd, std::byte* out, uint64_t size, uint64_t offset) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;  // short: the file ends inside what its headers promise
    out += n;
    size -= static_cast<uint64_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return 0;
}

}  // namespace

Result<std::unique_ptr<Kcore>> Kcore::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    std::string why = std::strerror(e);
    if (e == ENOENT) why = "no such file: the kernel was built without CONFIG_PROC_KCORE";
    if (e == EACCES || e == EPERM)
      why = fmt::format(
          "{}: reading kernel memory needs root (CAP_SYS_RAWIO), and kernel "
          "lockdown forbids it even to root",
          std::strerror(e));
    return Error{ErrorKind::io, path, std::nullopt, "cannot open: " + why};
  }
  std::unique_ptr<Kcore> k(new Kcore(path, fd));
  std::vector<std::byte> head(sizeof(Elf64_Ehdr));
  if (const int e = pread_all(fd, head.data(), head.size(), 0); e != 0)
    return Error{ErrorKind::io, path, 0,
                 fmt::format("cannot read the ELF header: {}", std::strerror(e))};
  auto header = catch_parse_errors([&] { return read_file_header(head); });
  if (!header) {
    Error e = std::move(header).error();
    e.input = path;
    return e;
  }
  const ElfFileHeader& h = *header;
  // The kernel writes its core in its own byte order and class, which are
  // this process's (a 32-bit process on a 64-bit kernel cannot open kcore).
  const ByteOrder native =
      std::endian::native == std::endian::little ? ByteOrder::little : ByteOrder::big;
  if (h.order != native || (h.elf_class == 64) != (sizeof(void*) == 8))
    return Error{ErrorKind::unsupported, path, 0,
                 "the core's class or byte order is not this process's: run a lucompat built for "
                 "the running kernel's architecture"};
  k->pointer_size_ = h.elf_class == 64 ? 8 : 4;
  k->order_ = h.order;
  k->machine_ = h.machine;
  // The headers of a core sit at its start; the limit, checked before the
  // sum, keeps a phoff near 2^64 from wrapping it.
  constexpr uint64_t kMaxHeaders = uint64_t{1} << 24;
  const uint64_t table = uint64_t{h.phnum} * h.phentsize;
  if (h.phentsize < program_header_size(h.elf_class) || h.phoff > kMaxHeaders ||
      table > kMaxHeaders - h.phoff)
    return Error{ErrorKind::malformed, path, 0,
                 fmt::format("{} program headers of {} bytes at {:#x}: not a kernel's core",
                             h.phnum, h.phentsize, h.phoff)};
  std::vector<std::byte> headers(h.phoff + table);
  if (const int e = pread_all(fd, headers.data(), headers.size(), 0); e != 0)
    return Error{ErrorKind::io, path, 0,
                 fmt::format("cannot read the program headers: {}", std::strerror(e))};
  const ByteReader r(headers, h.order);
  auto segments = catch_parse_errors([&] {
    std::vector<LoadSegment> out;
    for (uint64_t i = 0; i < h.phnum; ++i) {
      const ElfProgramHeader p = read_program_header(r, h.elf_class, h.phoff, h.phentsize, i);
      if (p.type == PT_LOAD && p.filesz != 0) out.push_back({p.vaddr, p.offset, p.filesz});
    }
    return out;
  });
  if (!segments) {
    Error e = std::move(segments).error();
    e.input = path;
    return e;
  }
  k->segments_ = std::move(segments).value();
  return k;
}

Result<std::vector<std::byte>> Kcore::read(uint64_t address, uint64_t size) const {
  if (size > kMaxRead)
    return Error{
        ErrorKind::limit, path_, std::nullopt,
        fmt::format("a read of {} bytes at {:#x} exceeds {} bytes", size, address, kMaxRead)};
  // The kernel splits memory that is contiguous in its address space over
  // several segments (one per block of RAM), so a read may cross from one
  // into the next.
  std::vector<std::byte> out(size);
  for (uint64_t done = 0; done < size;) {
    const uint64_t at = address + done;
    const auto holds = [&](const LoadSegment& s) {
      return at >= s.address && at - s.address < s.size;
    };
    const auto s = std::find_if(segments_.begin(), segments_.end(), holds);
    if (s == segments_.end() || at < address)
      return Error{ErrorKind::malformed, path_, std::nullopt,
                   fmt::format("kernel address {:#x} (in a read of {} bytes at {:#x}) is not "
                               "mapped by any of its {} segments",
                               at, size, address, segments_.size())};
    const uint64_t n = std::min(size - done, s->size - (at - s->address));
    if (const int e = pread_all(fd_.get(), out.data() + done, n, s->offset + (at - s->address));
        e != 0)
      return Error{ErrorKind::io, path_, std::nullopt,
                   fmt::format("cannot read {} bytes at kernel address {:#x}: {}", size, address,
                               std::strerror(e))};
    done += n;
  }
  return out;
}

}  // namespace lucompat
