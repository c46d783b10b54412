// Input files: mapped read-only, so only the pages a reader touches are read
// (a 590 MB debug vmlinux costs what its headers and table cost). Files under
// 256 KiB and unmappable files (in /proc) are read whole, up to the size
// limit. Devices, FIFOs and sockets are refused: /dev/zero never ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lucompat/base/byte_reader.h"
#include "lucompat/base/result.h"

namespace lucompat {

inline constexpr uint64_t kDefaultMaxFileSize = uint64_t{4} << 30;

class FileData {
 public:
  FileData() = default;
  FileData(FileData&& other) noexcept;
  FileData& operator=(FileData&& other) noexcept;
  FileData(const FileData&) = delete;
  FileData& operator=(const FileData&) = delete;
  ~FileData();

  Bytes bytes() const { return map_ != nullptr ? Bytes(map_, map_size_) : Bytes(copy_); }
  // Gives back the memory of the whole pages of `range` (part of bytes())
  // that a mapped file holds: they read the same afterwards, from the page
  // cache. A compressed kernel's pages, once decompressed, are not worth
  // their place in the peak RSS beside the image. No-op for a read file,
  // or for a range outside the file.
  void release(Bytes range) const;

 private:
  friend Result<FileData> read_file(const std::string& path, uint64_t max_size);
  std::byte* map_ = nullptr;
  size_t map_size_ = 0;
  std::vector<std::byte> copy_;
};

Result<FileData> read_file(const std::string& path, uint64_t max_size = kDefaultMaxFileSize);

// A text file a line at a time (without its '\n'; the last line may lack
// one), never held whole: a reader that keeps less than the text (an index
// of /proc/kallsyms) costs less than the file. A file of more than
// `max_size` bytes is refused as read_file refuses it, counted as read since
// /proc files have no size. The first error `each` returns ends the reading
// and is returned.
Result<void> read_lines(const std::string& path, uint64_t max_size,
                        const std::function<Result<void>(std::string_view line)>& each);

}  // namespace lucompat
