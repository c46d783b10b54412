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

// What a non-regular file is, for the error that refuses it.
const char* special_kind(mode_t mode) {
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

// An input file open for reading, refused when it is not a regular file.
Result<int> open_regular(const std::string& path, struct stat& st) {
  // O_NONBLOCK: opening a FIFO that has no writer would otherwise wait
  // forever; it is refused below like every other special file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return io_error(path, "no such file");
    return io_error(path, fmt::format("cannot open: {}", std::strerror(err)));
  }
  Fd owned(fd);
  if (::fstat(fd, &st) != 0)
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
  return owned.release();
}

Error too_large(const std::string& path, uint64_t max_size) {
  return Error{ErrorKind::limit, path, std::nullopt,
               fmt::format("input is larger than the {}-byte limit", max_size)};
}
Error too_large(const std::string& path, off_t size, uint64_t max_size) {
  return Error{ErrorKind::limit, path, std::nullopt,
               fmt::format("file is {} bytes, more than the {}-byte limit", size, max_size)};
}

// Every chunk of the file to `each`, read to EOF rather than trusting
// st_size: /proc files lie about it.
Result<void> read_chunks(const std::string& path, int fd, uint64_t max_size,
                         const std::function<Result<void>(std::string_view)>& each) {
  char chunk[1 << 16];
  for (uint64_t done = 0;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n == 0) return {};
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(path,
                      fmt::format("read failed at offset {:#x}: {}", done, std::strerror(errno)));
    }
    done += static_cast<uint64_t>(n);
    if (done > max_size) return too_large(path, max_size);
    LUCOMPAT_CHECK(each(std::string_view(chunk, static_cast<size_t>(n))));
  }
}

}  // namespace

void FileData::release(Bytes range) const {
  if (map_ == nullptr || range.data() < map_ || range.data() > map_ + map_size_ ||
      range.size() > static_cast<size_t>(map_ + map_size_ - range.data()))
    return;
  // The mapping starts on a page: whole pages are whole from its start.
  static const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = static_cast<size_t>(range.data() - map_);
  const size_t first = (begin + page - 1) / page * page;
  const size_t last = (begin + range.size()) / page * page;
  // Advice only: a read-only private mapping of a file is read back as it was.
  if (last > first) (void)::madvise(map_ + first, last - first, MADV_DONTNEED);
}

Result<FileData> read_file(const std::string& path, uint64_t max_size) {
  struct stat st {};
  LUCOMPAT_TRY(opened, open_regular(path, st));
  const Fd fd(*opened);

  FileData file;
  if (static_cast<uint64_t>(st.st_size) > max_size) return too_large(path, st.st_size, max_size);
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
  const auto keep = [&](std::string_view chunk) -> Result<void> {
    const auto* bytes = reinterpret_cast<const std::byte*>(chunk.data());
    data.insert(data.end(), bytes, bytes + chunk.size());
    return {};
  };
  LUCOMPAT_CHECK(read_chunks(path, fd.get(), max_size, keep));
  return file;
}

Result<void> read_lines(const std::string& path, uint64_t max_size,
                        const std::function<Result<void>(std::string_view line)>& each) {
  struct stat st {};
  LUCOMPAT_TRY(opened, open_regular(path, st));
  const Fd fd(*opened);
  if (static_cast<uint64_t>(st.st_size) > max_size) return too_large(path, st.st_size, max_size);
  std::string partial;  // a line cut by the chunk's end
  const auto split = [&](std::string_view chunk) -> Result<void> {
    for (size_t nl; (nl = chunk.find('\n')) != std::string_view::npos;) {
      if (partial.empty()) {
        LUCOMPAT_CHECK(each(chunk.substr(0, nl)));
      } else {
        partial.append(chunk.substr(0, nl));
        LUCOMPAT_CHECK(each(partial));
        partial.clear();
      }
      chunk.remove_prefix(nl + 1);
    }
    partial.append(chunk);
    return {};
  };
  LUCOMPAT_CHECK(read_chunks(path, fd.get(), max_size, split));
  if (!partial.empty()) return each(partial);
  return {};
}

}  // namespace lucompat
