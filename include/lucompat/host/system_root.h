// Every system path lucompat reads (/proc, /boot, /lib/modules, /etc) goes
// through a SystemRoot, so tests and offline checks point it at a fake tree.
#pragma once

#include <string>
#include <string_view>

#include "lucompat/base/result.h"

namespace lucompat {

class SystemRoot {
 public:
  explicit SystemRoot(std::string root = "/") : root_(std::move(root)) {}
  // "/proc/version" under the root.
  std::string path(std::string_view absolute) const;
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

// A kernel release names directories (/boot/vmlinuz-R, /lib/modules/R), so it
// must be one plain path component: a release of "../x" read from a forged
// osrelease or banner would steer reads out of the root.
bool is_single_path_component(std::string_view s);

// A small text file (from /proc or /etc), whole.
Result<std::string> read_text(const std::string& path);

}  // namespace lucompat
