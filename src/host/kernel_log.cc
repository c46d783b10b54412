#include "lucompat/host/kernel_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "lucompat/base/fd.h"

namespace lucompat {

KernelLog parse_kmsg(std::string_view records) {
  KernelLog log;
  bool first = true;
  while (!records.empty()) {
    const size_t end = records.find('\n');
    std::string_view line = records.substr(0, end);
    records.remove_prefix(end == std::string_view::npos ? records.size() : end + 1);
    if (line.empty() || line.front() == ' ') continue;  // a continuation: KEY=VALUE
    const size_t semicolon = line.find(';');
    if (semicolon == std::string_view::npos) continue;
    // "PRIORITY,SEQUENCE,TIMESTAMP,FLAGS[,...]": the sequence says whether
    // the ring still holds the boot's first record.
    const std::string_view prefix = line.substr(0, semicolon);
    if (first) {
      const size_t comma = prefix.find(',');
      uint64_t sequence = 1;
      if (comma != std::string_view::npos) {
        const std::string_view rest = prefix.substr(comma + 1);
        std::from_chars(rest.data(), rest.data() + rest.size(), sequence);
      }
      log.complete = sequence == 0;
      first = false;
    }
    log.messages.emplace_back(line.substr(semicolon + 1));
  }
  return log;
}

Result<KernelLog> read_kernel_log(const SystemRoot& root, size_t max_bytes) {
  const std::string path = root.path("/dev/kmsg");
  const int raw = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (raw < 0)
    return Error{ErrorKind::io, path, std::nullopt,
                 fmt::format("cannot read the kernel log: {}", std::strerror(errno))};
  const Fd fd(raw);
  // One record per read(2) from the device (at most 8 KiB with its
  // dictionary); a saved copy reads as a file.
  std::string text;
  std::string buf(size_t{8} << 10, '\0');
  bool overwritten = false;
  while (text.size() < max_bytes) {
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n > 0) {
      text.append(buf.data(), static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE) {  // a record was overwritten under us
      overwritten = true;
      continue;
    }
    if (n == 0 || errno == EAGAIN) break;
    return Error{ErrorKind::io, path, std::nullopt,
                 fmt::format("cannot read the kernel log: {}", std::strerror(errno))};
  }
  KernelLog log = parse_kmsg(text);
  if (overwritten || text.size() >= max_bytes) log.complete = false;
  return log;
}

}  // namespace lucompat
