// Kernel packages (.deb, .rpm), read through libarchive without unpacking to
// disk: the kernel image(s) and every module inside are inspected from memory.
#pragma once

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

Result<PackageReport> inspect_package(const std::string& path, const InspectOptions& options,
                                      unsigned jobs = 0, const Progress& progress = {});

}  // namespace lucompat
