// Finding the image of the running kernel on disk, and proving it is the one
// running: its banner must equal /proc/version byte for byte.
#pragma once

#include <string>
#include <vector>

#include "lucompat/host/system_root.h"
#include "lucompat/inspect/inspect.h"

namespace lucompat {

struct RunningKernel {
  std::string release;  // from /proc/sys/kernel/osrelease (what uname -r says)
  std::string banner;   // /proc/version without its newline
  std::string path;     // the image that proved to be it
  Inspection inspection;
};

// The places an image of release R is looked for, in order: /boot/vmlinuz-R,
// /boot/vmlinux-R, /lib/modules/R/vmlinuz, /usr/lib/modules/R/vmlinuz, then
// UKIs on the usual ESP paths whose .uname is R.
std::vector<std::string> running_kernel_candidates(const SystemRoot& root,
                                                   const std::string& release);

Result<RunningKernel> find_running_kernel(const SystemRoot& root, const InspectOptions& options);

}  // namespace lucompat
