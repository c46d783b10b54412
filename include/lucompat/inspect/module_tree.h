// A tree of kernel modules (/lib/modules/RELEASE): every module inspected, in
// parallel, and which modules contribute which table entries.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "lucompat/inspect/inspect.h"

namespace lucompat {

struct TreeModule {
  std::string path;  // relative to the tree's root
  Result<Inspection> result;
};

struct TreeEntry {
  std::string compatible;
  std::vector<std::string> modules;  // relative paths, in tree order
};

struct ModuleTree {
  std::string root;
  std::vector<TreeModule> modules;    // sorted by path
  std::vector<TreeEntry> entries;     // in order of first appearance
  std::vector<std::string> releases;  // distinct vermagic releases, sorted
  size_t with_table = 0;
  size_t without_table = 0;
  size_t errors = 0;
};

// Module files by the kernel's naming (*.ko, *.ko.gz, *.ko.xz, *.ko.zst);
// each is then recognised by content. Directory symlinks are not followed:
// /lib/modules/R/build points into a whole source tree. Sorted. A directory
// that cannot be read is an error: it may hold a module with a table.
Result<std::vector<std::string>> find_modules(const std::string& root);

using Progress = std::function<void(size_t done, size_t total)>;

// A file named as a module must be one (an ELF relocatable file): a .ko.xz
// that unwraps to a raw image would otherwise pass as a module without a
// table and hide the families it carries. Anything else becomes an error.
Result<Inspection> require_module(Result<Inspection> inspected);

// Counts, entry provenance and releases from `tree.modules`.
void summarize(ModuleTree& tree);

// `jobs` threads (0: one per core). `progress` is called from the calling
// thread about ten times a second while the work runs.
Result<ModuleTree> inspect_module_tree(const std::string& root, const InspectOptions& options,
                                       unsigned jobs = 0, const Progress& progress = {});

}  // namespace lucompat
