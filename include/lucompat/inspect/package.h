// Kernel packages (.deb, .rpm), read through libarchive without unpacking to
// disk: the kernel image(s) and every module inside are inspected from memory,
// except a kernel too large to hold (a debug package's vmlinux), which is
// read from an unlinked file in $TMPDIR (else /var/tmp).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lucompat/inspect/deb_control.h"
#include "lucompat/inspect/inspect.h"
#include "lucompat/inspect/module_tree.h"

namespace lucompat {

struct PackageKernel {
  std::string path;  // inside the package, without a leading "./"
  Result<Inspection> result;
};

struct PackageReport {
  std::string input;
  std::string format;  // "deb" or "rpm"
  std::vector<PackageKernel> kernels;
  ModuleTree modules;  // root "INPUT!lib/modules", paths below it
  DebControl control;  // a .deb's; empty for an rpm
  // A debug package (linux-image-R-dbg): its kernel and modules are the
  // unstripped ones, under usr/lib/debug/.
  bool debug = false;
};

// By content: an ar archive whose first member is debian-binary, or the rpm lead.
bool is_package(Bytes head);
// The same for a file, reading only its first bytes; false if unreadable.
bool is_package_file(const std::string& path);

// What a package's members and the streams inside them may decompress to,
// together. Debug info compresses about 6:1 with xz (Debian's 7.3.4 cloud
// -dbg: 353 MB holding 2.06 GB), so a fixed 1 GiB refused real debug
// packages; a decompression bomb runs to 1000:1 and more. Unless
// --max-output was given, the budget is the larger of it and this many times
// the package's size.
inline constexpr uint64_t kPackageOutputRatio = 8;
uint64_t package_budget(const InspectOptions& options, uint64_t package_size);

// Called on the reading thread about ten times a second, and once at the
// end with read == size: the members inspected so far, and how many bytes of
// the package file have been read, of its size.
using PackageProgress = std::function<void(size_t members, uint64_t read, uint64_t size)>;

Result<PackageReport> inspect_package(const std::string& path, const InspectOptions& options,
                                      unsigned jobs = 0, const PackageProgress& progress = {});

}  // namespace lucompat
