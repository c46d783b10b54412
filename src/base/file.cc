#include "lucompat/base/file.h"

#include "lucompat/base/fd.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace lucompat {
namespace {

Error io_error(const std::string& path, std::string message) {
  return Error{ErrorKind::io, path, std::nullopt, std::move(message)};
}

}  // namespace

FileData::FileData(FileData&& other) noexcept
    : map_(std::exchange(other.map_, nullptr)),
      map_size_(std::exchange(other.map_size_, 0)),
      copy_(std::move(other.copy_)) {}

// Swapping hands our old mapping to `other`, whose destructor releases it.
FileData& FileData::operator=(FileData&& other) noexcept {
  std::swap(map_, other.map_);
  std::swap(map_size_, other.map_size_);
  std::swap(copy_, other.copy_);
  return *this;
}

FileData::~FileData() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

namespace {
constexpr off_t kReadBelow = off_t{256} << 10;
}  // namespace

// What a non-regular file is, for the error that refuses it.
const char* special_kind(mode_t mode) {
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

Result<FileData> read_file(const std::string& path, uint64_t max_size) {
  // O_NONBLOCK: opening a FIFO that has no writer would otherwise wait
  // forever; it is refused below like every other special file.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == ENOENT) return io_error(path, "no such file");
    return io_error(path, fmt::format("cannot open: {}", std::strerror(err)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return io_error(path, fmt::format("cannot stat: {}", std::strerror(errno)));
  if (S_ISDIR(st.st_mode))
    return io_error(path, "is a directory; expected a kernel image, module or object file");
  // Devices, FIFOs and sockets have no size to check before reading: /dev/zero
  // and /dev/urandom never end, so reading them to EOF fills memory up to the
  // file size limit. Kernel artifacts are files; a kernel on a partition can
  // be copied out first.
  if (!S_ISREG(st.st_mode))
    return Error{ErrorKind::unsupported, path, std::nullopt,
                 fmt::format("is {}, not a regular file; expected a kernel image, module or "
                             "object file",
                             special_kind(st.st_mode))};

  FileData file;
  if (static_cast<uint64_t>(st.st_size) > max_size)
    return Error{
        ErrorKind::limit, path, std::nullopt,
        fmt::format("file is {} bytes, more than the {}-byte limit", st.st_size, max_size)};
  // Small files (most modules) are read: mapping and unmapping each one
  // cost more than the copy, in TLB shootdowns across a tree's workers.
  if (st.st_size > kReadBelow) {
    void* m = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (m != MAP_FAILED) {
      file.map_ = static_cast<std::byte*>(m);
      file.map_size_ = static_cast<size_t>(st.st_size);
      return file;
    }
    // Some files (in /proc, on odd filesystems) cannot be mapped: read them.
  }
  std::vector<std::byte>& data = file.copy_;
  // Read to EOF rather than trusting st_size: /proc files lie about it.
  std::byte chunk[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(
          path, fmt::format("read failed at offset {:#x}: {}", data.size(), std::strerror(errno)));
    }
    if (data.size() + static_cast<uint64_t>(n) > max_size)
      return Error{ErrorKind::limit, path, std::nullopt,
                   fmt::format("input is larger than the {}-byte limit", max_size)};
    data.insert(data.end(), chunk, chunk + n);
  }
  return file;
}

}  // namespace lucompat
