#include "lucompat/inspect/package.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "base/shared_library.h"
#include "inspect/inspect_pool.h"
#include "inspect/package_paths.h"
#include "lucompat/inspect/module_tree.h"

namespace lucompat {
namespace {

#define LUCOMPAT_LIBARCHIVE(X)                                                              \
  X(archive_entry_filetype) X(archive_entry_pathname) X(archive_error_string)               \
  X(archive_read_data) X(archive_read_free) X(archive_read_new) X(archive_read_next_header) \
  X(archive_read_open) X(archive_read_open_filename) X(archive_read_support_filter_all)     \
  X(archive_read_support_format_ar) X(archive_read_support_format_cpio)                     \
  X(archive_read_support_format_tar) X(archive_set_error)

LUCOMPAT_SHARED_API(Libarchive, LUCOMPAT_LIBARCHIVE);

const Result<Libarchive>& load_libarchive() {
  static const Result<Libarchive> loaded = load_shared_api<Libarchive>("libarchive.so.13", "reading .deb and .rpm packages");
  return loaded;
}

// Valid once inspect_package has loaded the library.
const Libarchive& ar() { return load_libarchive().value(); }

using ArchivePtr = std::unique_ptr<archive, decltype(Libarchive::archive_read_free)>;

std::string clean(const char* name) {
  std::string_view s = name != nullptr ? name : "";
  while (s.starts_with("./") || s.starts_with("/")) s.remove_prefix(s.starts_with("/") ? 1 : 2);
  return std::string(s);
}

class Reader {
 public:
  Reader(std::string input, const InspectOptions& options, InspectPool& pool, PackageReport& out)
      : input_(std::move(input)), options_(options), pool_(pool), out_(out) {}

  // Walks one archive; a .deb's data.tar.* is walked as a nested archive
  // read straight from the outer one.
  void walk(archive* a, const std::string& where) {
    archive_entry* entry = nullptr;
    for (;;) {
      const int rc = ar().archive_read_next_header(a, &entry);
      if (rc == ARCHIVE_EOF) return;
      if (rc < ARCHIVE_WARN) fail_archive(a, where);
      if (ar().archive_entry_filetype(entry) != AE_IFREG) continue;
      const std::string name = clean(ar().archive_entry_pathname(entry));
      if (where.empty() && name.starts_with("data.tar")) {
        walk_nested(a, name);
        continue;
      }
      const auto module = module_member(name);
      const bool kernel = !module && is_kernel_member(name);
      if ((module || kernel) && ++members_ > options_.max_members)
        fail(ErrorKind::limit, std::nullopt,
             fmt::format("the package holds more than {} kernel images and modules (--max-members)",
                         options_.max_members));
      if (module) {
        auto data = std::make_shared<std::vector<std::byte>>(read(a, where, name));
        const std::string label = fmt::format("{}!{}", input_, name);
        const InspectOptions& options = options_;
        pool_.submit(
            [data, label, &options] { return require_module(inspect_bytes(label, *data, options)); });
        module_paths_.emplace_back(*module);
      } else if (kernel) {
        const std::vector<std::byte> data = read(a, where, name);
        out_.kernels.push_back({name, inspect_bytes(fmt::format("{}!{}", input_, name), data, options_)});
      }
    }
  }

  std::vector<std::string> module_paths_;

 private:
  struct Nested {
    archive* outer;
    std::string error;  // why the outer archive stopped feeding the inner one
    char buf[1 << 16];
  };

  static la_ssize_t read_outer(archive* inner, void* ctx, const void** out) {
    auto* n = static_cast<Nested*>(ctx);
    *out = n->buf;
    const la_ssize_t got = ar().archive_read_data(n->outer, n->buf, sizeof n->buf);
    if (got < 0) {
      const char* why = ar().archive_error_string(n->outer);
      n->error = why != nullptr ? why : "the archive is damaged";
      ar().archive_set_error(inner, EIO, "%s", n->error.c_str());
    }
    return got;
  }

  void walk_nested(archive* outer, const std::string& name) {
    ArchivePtr inner(ar().archive_read_new(), ar().archive_read_free);
    ar().archive_read_support_filter_all(inner.get());
    ar().archive_read_support_format_tar(inner.get());
    Nested ctx{outer, {}, {}};
    if (ar().archive_read_open(inner.get(), &ctx, nullptr, &read_outer, nullptr) != ARCHIVE_OK)
      fail_archive(inner.get(), name);
    walk(inner.get(), name);
  }

  std::vector<std::byte> read(archive* a, const std::string& where, const std::string& name) {
    std::vector<std::byte> data;
    std::byte buf[1 << 16];
    for (;;) {
      const la_ssize_t n = ar().archive_read_data(a, buf, sizeof buf);
      if (n == 0) return data;
      if (n < 0) fail_archive(a, where.empty() ? name : where + ": " + name);
      if (data.size() + static_cast<uint64_t>(n) > options_.max_file_size)
        fail(ErrorKind::limit, std::nullopt,
             fmt::format("{}: member is larger than the {}-byte limit", name,
                         options_.max_file_size));
      data.insert(data.end(), buf, buf + n);
    }
  }

  [[noreturn]] static void fail_archive(archive* a, const std::string& where) {
    const char* why = ar().archive_error_string(a);
    fail(ErrorKind::malformed, std::nullopt,
         fmt::format("{}{}{}", where, where.empty() ? "" : ": ",
                     why != nullptr ? why : "the archive is damaged"));
  }

  std::string input_;
  uint64_t members_ = 0;
  const InspectOptions& options_;
  InspectPool& pool_;
  PackageReport& out_;
};

}  // namespace

bool is_package(Bytes head) {
  const std::string_view s = as_chars(head);
  return s.starts_with("!<arch>\ndebian-binary") || s.starts_with("\xed\xab\xee\xdb");
}

bool is_package_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  std::byte head[32];
  const size_t n = std::fread(head, 1, sizeof head, f);
  std::fclose(f);
  return is_package(Bytes(head, n));
}

Result<PackageReport> inspect_package(const std::string& path, const InspectOptions& options,
                                      unsigned jobs, const Progress& progress) {
  if (const auto& loaded = load_libarchive(); !loaded) return Error(loaded.error());
  auto file = read_file(path, options.max_file_size);
  if (!file) return std::move(file).error();
  const Bytes bytes = file->bytes();
  PackageReport out;
  out.input = path;
  out.format = as_chars(bytes).starts_with("!<arch>") ? "deb" : "rpm";
  out.modules.root = path + "!lib/modules";
  InspectPool pool(jobs, 64, progress);
  Reader reader(path, options, pool, out);
  auto walked = catch_parse_errors([&] {
    ArchivePtr a(ar().archive_read_new(), ar().archive_read_free);
    ar().archive_read_support_filter_all(a.get());
    ar().archive_read_support_format_ar(a.get());
    ar().archive_read_support_format_cpio(a.get());
    // Read with read(2), not from the mapping: a mapped package's pages
    // stay in the peak RSS once read (a 70 MB .deb made it 100 MB).
    if (ar().archive_read_open_filename(a.get(), path.c_str(), size_t{1} << 20) != ARCHIVE_OK)
      fail(ErrorKind::malformed, std::nullopt,
           fmt::format("not a readable {} package: {}", out.format, ar().archive_error_string(a.get())));
    reader.walk(a.get(), "");
    return true;
  });
  auto results = pool.finish();
  if (!walked) {
    Error e = std::move(walked).error();
    e.input = path;
    return e;
  }
  for (size_t i = 0; i < results.size(); ++i)
    out.modules.modules.push_back({std::move(reader.module_paths_[i]), std::move(results[i])});
  summarize(out.modules);
  if (out.kernels.empty() && out.modules.modules.empty())
    return Error{ErrorKind::unsupported, path, std::nullopt,
                 fmt::format("this {} package holds no kernel image and no kernel module",
                             out.format)};
  return out;
}

}  // namespace lucompat
