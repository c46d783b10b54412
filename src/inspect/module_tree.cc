#include "lucompat/inspect/module_tree.h"

#include "inspect/inspect_pool.h"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace lucompat {
namespace {

namespace fs = std::filesystem;

bool is_module_name(const std::string& name) {
  for (const char* suffix : {".ko", ".ko.gz", ".ko.xz", ".ko.zst"})
    if (name.ends_with(suffix)) return true;
  return false;
}

}  // namespace

Result<Inspection> require_module(Result<Inspection> inspected) {
  if (!inspected) return inspected;
  const Inspection& in = *inspected;
  if (in.elf && in.elf->type == ET_REL && in.kind != InputKind::kernel) return inspected;
  return Error{ErrorKind::malformed, in.input, std::nullopt,
               fmt::format("expected a kernel module (an ELF relocatable file) under a module "
                           "name, found {}",
                           in.describe_chain())};
}

void summarize(ModuleTree& tree) {
  std::set<std::string> releases;
  for (const auto& m : tree.modules) {
    if (!m.result) {
      ++tree.errors;
      continue;
    }
    if (!m.result->identity.release.empty()) releases.insert(m.result->identity.release);
    if (!has_version_set(*m.result)) {
      ++tree.without_table;
      continue;
    }
    ++tree.with_table;
    for (const auto& e : declared_entries(*m.result)) {
      auto it = std::find_if(tree.entries.begin(), tree.entries.end(),
                             [&](const TreeEntry& t) { return t.compatible == e.compatible; });
      if (it == tree.entries.end())
        it = tree.entries.insert(tree.entries.end(), {e.compatible, {}});
      if (it->modules.empty() || it->modules.back() != m.path) it->modules.push_back(m.path);
    }
  }
  tree.releases.assign(releases.begin(), releases.end());
}

Result<std::vector<std::string>> find_modules(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec)
    return Error{ErrorKind::io, root, std::nullopt,
                 fmt::format("cannot read the directory: {}", ec.message())};
  for (const fs::recursive_directory_iterator end; it != end;) {
    // Only real files count: a symlinked module would be inspected twice.
    if (it->is_regular_file(ec) && !it->is_symlink(ec) &&
        is_module_name(it->path().filename().string()))
      out.push_back(it->path().lexically_relative(root).string());
    // A failed increment leaves the iterator at its end, so name first the
    // directory it reads next: the entry itself when it descends into it.
    std::error_code type_ec;
    const bool descends = it->is_directory(type_ec) && !it->is_symlink(type_ec);
    const fs::path entered = descends ? it->path() : it->path().parent_path();
    it.increment(ec);
    if (ec)
      return Error{ErrorKind::io, entered.string(), std::nullopt,
                   fmt::format("cannot read the directory: {}", ec.message())};
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<ModuleTree> inspect_module_tree(const std::string& root, const InspectOptions& options,
                                       unsigned jobs, const Progress& progress) {
  LUCOMPAT_TRY(paths, find_modules(root));
  if (paths->empty())
    return Error{ErrorKind::io, root, std::nullopt,
                 "no kernel modules (*.ko, *.ko.gz, *.ko.xz, *.ko.zst) below this directory"};
  ModuleTree tree;
  tree.root = root;
  // One --max-output budget for the tree: two modules of just under the cap
  // each cost the sum before.
  InspectOptions tree_options = options;
  const auto budget = std::make_shared<OutputBudget>(options.unwrap.max_output);
  tree_options.unwrap.budget = budget;
  std::atomic<bool> stop{false};
  InspectPool pool(jobs, 256, progress);
  pool.expect(paths->size());
  for (const auto& p : *paths) {
    if (stop.load()) break;
    const std::string file = (fs::path(root) / p).string();
    pool.submit(stop_on_limit(
        stop, [file, &tree_options] { return require_module(inspect_file(file, tree_options)); }));
  }
  auto results = pool.finish();
  if (auto e = over_limit(*budget, results, root, "the modules below this directory")) return *e;
  for (size_t i = 0; i < paths->size(); ++i)
    tree.modules.push_back({std::move((*paths)[i]), std::move(results[i])});
  summarize(tree);
  return tree;
}

}  // namespace lucompat
