#include "lucompat/inspect/package.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

#include "inspect/inspect_pool.h"
#include "inspect/package_paths.h"
#include "lucompat/base/byte_reader.h"
#include "lucompat/base/fd.h"
#include "lucompat/base/file.h"
#include "lucompat/base/printable.h"
#include "lucompat/base/shared_library.h"
#include "lucompat/inspect/module_tree.h"

namespace lucompat {
namespace {

// clang-format off: one symbol a line, which clang-format would reflow each run
#define LUCOMPAT_LIBARCHIVE(X)        \
  X(archive_entry_filetype)           \
  X(archive_entry_pathname)           \
  X(archive_entry_size)               \
  X(archive_entry_size_is_set)        \
  X(archive_error_string)             \
  X(archive_filter_bytes)             \
  X(archive_read_data)                \
  X(archive_read_free)                \
  X(archive_read_new)                 \
  X(archive_read_next_header)         \
  X(archive_read_open)                \
  X(archive_read_open_filename)       \
  X(archive_read_support_filter_all)  \
  X(archive_read_support_format_ar)   \
  X(archive_read_support_format_cpio) \
  X(archive_read_support_format_tar)  \
  X(archive_set_error)
// clang-format on

LUCOMPAT_SHARED_API(Libarchive, LUCOMPAT_LIBARCHIVE);

const Result<Libarchive>& load_libarchive() {
  static const Result<Libarchive> loaded =
      load_shared_api<Libarchive>("libarchive.so.13", "reading .deb and .rpm packages");
  return loaded;
}

// Valid once inspect_package has loaded the library.
const Libarchive& ar() { return load_libarchive().value(); }

using ArchivePtr = std::unique_ptr<archive, decltype(Libarchive::archive_read_free)>;

// Members are read into memory (an ELF is read at random), so what is held
// at once is bounded: a kernel being read and the modules waiting for the
// workers together. A UKI with its initrd is the largest real member (Fedora's
// kernel-uki-virt: about 80 MB); a member past this is refused, not held.
constexpr uint64_t kMaxHeld = uint64_t{128} << 20;

std::string clean(const char* name) {
  std::string_view s = name != nullptr ? name : "";
  while (s.starts_with("./") || s.starts_with("/")) s.remove_prefix(s.starts_with("/") ? 1 : 2);
  return std::string(s);
}

// How far the reading is, for PackageProgress: the bytes of the package
// file read so far (a debug package's 412 MB vmlinux takes seconds of xz on
// its own) and the members inspected. Called on the reading thread only.
class Meter {
 public:
  Meter(const PackageProgress& progress, uint64_t size) : progress_(progress), size_(size) {}
  // The package file's archive while it is open: declared after it, so
  // that nothing reads it once freed (a member over a limit ends the walk
  // with an exception, and the pool still reports while it finishes).
  class Watch {
   public:
    Watch(Meter& meter, archive* file) : meter_(meter) { meter_.file_ = file; }
    ~Watch() { meter_.file_ = nullptr; }
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

   private:
    Meter& meter_;
  };
  void count(const InspectPool& pool) { pool_ = &pool; }
  // Throttled: called for every piece of every member read.
  void tick() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    show();
  }
  void show() {
    if (!progress_ || file_ == nullptr) return;
    const int64_t read = ar().archive_filter_bytes(file_, -1);
    // Short of the whole size until finish(): the last members are still
    // being inspected when the file has been read.
    progress_(members(), std::min<uint64_t>(read < 0 ? 0 : static_cast<uint64_t>(read), size_ - 1),
              size_);
  }
  void finish() {
    if (progress_) progress_(members(), size_, size_);
  }

 private:
  size_t members() const { return pool_ != nullptr ? pool_->done() : 0; }

  const PackageProgress& progress_;
  const uint64_t size_;
  archive* file_ = nullptr;
  const InspectPool* pool_ = nullptr;
  std::chrono::steady_clock::time_point last_{};
};

class Reader {
 public:
  Reader(std::string input, const InspectOptions& options, InspectPool& pool,
         std::atomic<bool>& stop, Meter& meter, PackageReport& out)
      : input_(std::move(input)),
        options_(options),
        pool_(pool),
        stop_(stop),
        meter_(meter),
        out_(out) {}

  // Walks one archive; a .deb's data.tar.* is walked as a nested archive
  // read straight from the outer one.
  void walk(archive* a, const std::string& where) {
    archive_entry* entry = nullptr;
    for (;;) {
      const int rc = ar().archive_read_next_header(a, &entry);
      if (rc == ARCHIVE_EOF) return;
      if (rc < ARCHIVE_WARN) fail_archive(a, where);
      if (stop_.load()) return;
      if (ar().archive_entry_filetype(entry) != AE_IFREG) continue;
      const std::string name = clean(ar().archive_entry_pathname(entry));
      if (where.empty() && name.starts_with("data.tar")) {
        nested(a, name, [&](archive* inner) { walk(inner, name); });
        continue;
      }
      if (where.empty() && name.starts_with("control.tar")) {
        // Only a message uses the control file: one that cannot be read
        // costs the package nothing (its data is judged on its own), but a
        // limit still stops the whole package.
        try {
          nested(a, name, [&](archive* inner) { read_control(inner, name); });
        } catch (const ParseError& e) {
          if (e.error().kind == ErrorKind::limit) throw;
        }
        continue;
      }
      const auto module = module_member(name);
      const bool kernel = !module && is_kernel_member(name);
      if ((module || kernel) && is_debug_member(name)) out_.debug = true;
      if ((module || kernel) && ++members_ > options_.max_members)
        fail(ErrorKind::limit, std::nullopt,
             fmt::format("the package holds more than {} kernel images and modules (--max-members)",
                         options_.max_members));
      if (module) {
        const uint64_t size = held_size(entry, name);
        pool_.reserve(size);
        Held held{pool_, size};
        auto data = std::make_shared<std::vector<std::byte>>(read(a, where, name, size));
        const std::string label = fmt::format("{}!{}", input_, name);
        const InspectOptions& options = options_;
        pool_.submit(stop_on_limit(stop_,
                                   [data, label, &options] {
                                     return require_module(inspect_bytes(label, *data, options));
                                   }),
                     std::exchange(held.bytes, 0));
        module_paths_.emplace_back(*module);
      } else if (kernel) {
        out_.kernels.push_back({name, inspect_kernel(a, entry, where, name)});
        if (const auto& r = out_.kernels.back().result; !r && r.error().kind == ErrorKind::limit) {
          stop_ = true;
          throw ParseError(r.error());  // the package's one error, naming the member
        }
      }
    }
  }

  std::vector<std::string> module_paths_;

 private:
  // A kernel is read into memory when it fits what a package may hold at
  // once. A debug package's vmlinux does not (412 MB in Debian's 7.3.4 cloud
  // -dbg): it goes to an unlinked file and is read from there, as the same
  // file given on the command line would be, in parts (its symbol table,
  // data and BTF) that the page cache holds instead of the heap. Other
  // kernels are never that large (a UKI with its initrd: about 80 MB) and
  // are refused, not written to disk.
  Result<Inspection> inspect_kernel(archive* a, archive_entry* entry, const std::string& where,
                                    const std::string& name) {
    const std::string label = fmt::format("{}!{}", input_, name);
    const int64_t size =
        ar().archive_entry_size_is_set(entry) != 0 ? ar().archive_entry_size(entry) : -1;
    if (is_debug_member(name) && (size < 0 || static_cast<uint64_t>(size) > kMaxHeld)) {
      if (size > 0 && static_cast<uint64_t>(size) > options_.max_file_size)
        too_large(name, options_.max_file_size);
      const Fd file = spill(a, where, name);
      LUCOMPAT_TRY(mapped,
                   read_file(fmt::format("/proc/self/fd/{}", file.get()), options_.max_file_size));
      return inspect_bytes(label, mapped->bytes(), options_);
    }
    const uint64_t held = held_size(entry, name);
    pool_.reserve(held);
    const Held release{pool_, held};
    return inspect_bytes(label, read(a, where, name, held), options_);
  }

  // The member's bytes in a file of their own, unlinked from the start, in
  // $TMPDIR or else /var/tmp: /tmp is often memory (tmpfs).
  Fd spill(archive* a, const std::string& where, const std::string& name) {
    const char* env = std::getenv("TMPDIR");
    const std::string dir = env != nullptr && *env != '\0' ? env : "/var/tmp";
    Fd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (fd.get() < 0)
      fail(ErrorKind::io, std::nullopt,
           fmt::format("{}: cannot create a file in {} to read it from (set TMPDIR): {}", name, dir,
                       std::strerror(errno)));
    read_pieces(a, where, name, options_.max_file_size, [&](Bytes piece) {
      for (size_t done = 0; done < piece.size();) {
        const ssize_t w = ::write(fd.get(), piece.data() + done, piece.size() - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
          fail(ErrorKind::io, std::nullopt,
               fmt::format("{}: cannot write it to {}: {}", name, dir,
                           std::strerror(w < 0 ? errno : ENOSPC)));
        done += static_cast<size_t>(w);
      }
    });
    return fd;
  }

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

  // A .deb's member that is itself a tar archive, read straight from the
  // outer one by `body`.
  template <typename Body>
  void nested(archive* outer, const std::string& name, Body&& body) {
    ArchivePtr inner(ar().archive_read_new(), ar().archive_read_free);
    ar().archive_read_support_filter_all(inner.get());
    ar().archive_read_support_format_tar(inner.get());
    Nested ctx{outer, {}, {}};
    if (ar().archive_read_open(inner.get(), &ctx, nullptr, &read_outer, nullptr) != ARCHIVE_OK)
      fail_archive(inner.get(), name);
    body(inner.get());
  }

  // The control file, for a package that turns out to hold no kernel: its
  // Depends names the one that does.
  void read_control(archive* a, const std::string& where) {
    constexpr uint64_t kMaxControl = uint64_t{1} << 20;
    archive_entry* entry = nullptr;
    for (;;) {
      const int rc = ar().archive_read_next_header(a, &entry);
      if (rc == ARCHIVE_EOF) return;
      if (rc < ARCHIVE_WARN) fail_archive(a, where);
      if (clean(ar().archive_entry_pathname(entry)) != "control") continue;
      const std::vector<std::byte> data = read(a, where, "control", kMaxControl);
      out_.control = parse_deb_control(as_chars(data));
      return;
    }
  }

  // Bytes reserved in the pool, given back unless handed to a task.
  struct Held {
    InspectPool& pool;
    uint64_t bytes;
    ~Held() {
      if (bytes != 0) pool.release(bytes);
    }
  };

  // How much of memory a member will take, refused before any of it is read
  // when that is more than a member may.
  uint64_t held_size(archive_entry* entry, const std::string& name) const {
    const uint64_t limit = std::min(options_.max_file_size, kMaxHeld);
    const int64_t size =
        ar().archive_entry_size_is_set(entry) != 0 ? ar().archive_entry_size(entry) : -1;
    if (size < 0) return limit;  // read() stops at the limit
    if (static_cast<uint64_t>(size) > limit) too_large(name, limit);
    return static_cast<uint64_t>(size);
  }

  [[noreturn]] void too_large(const std::string& name, uint64_t limit) const {
    fail(ErrorKind::limit, std::nullopt,
         limit == options_.max_file_size
             ? fmt::format("{}: member is larger than the {}-byte limit (--max-file-size)", name,
                           limit)
             : fmt::format("{}: member is larger than {} bytes, the most of a package read into "
                           "memory at once",
                           name, limit));
  }

  // A member's bytes are the package's decompressed data: they count in its
  // --max-output budget like the streams inside them.
  std::vector<std::byte> read(archive* a, const std::string& where, const std::string& name,
                              uint64_t limit) {
    std::vector<std::byte> data;
    data.reserve(limit);  // no copy while growing: that doubled a member's peak
    read_pieces(a, where, name, limit,
                [&](Bytes piece) { data.insert(data.end(), piece.begin(), piece.end()); });
    return data;
  }

  // The member being read, piece by piece to `each`: at most `limit` bytes,
  // each counted in the package's --max-output budget and the progress.
  template <typename Each>
  void read_pieces(archive* a, const std::string& where, const std::string& name, uint64_t limit,
                   Each&& each) {
    std::byte buf[1 << 16];
    uint64_t total = 0;
    for (;;) {
      const la_ssize_t n = ar().archive_read_data(a, buf, sizeof buf);
      if (n == 0) return;
      if (n < 0) fail_archive(a, where.empty() ? name : fmt::format("{}: {}", where, name));
      total += static_cast<uint64_t>(n);
      if (total > limit) too_large(name, limit);
      options_.unwrap.budget->charge(static_cast<uint64_t>(n));
      meter_.tick();
      each(Bytes(buf, static_cast<size_t>(n)));
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
  // A member was over a limit: read no more. Outlives the pool's tasks,
  // which set it.
  std::atomic<bool>& stop_;
  Meter& meter_;
  PackageReport& out_;
};

}  // namespace

uint64_t package_budget(const InspectOptions& options, uint64_t package_size) {
  if (options.max_output_given) return options.unwrap.max_output;
  const uint64_t scaled = package_size > UINT64_MAX / kPackageOutputRatio
                              ? UINT64_MAX
                              : package_size * kPackageOutputRatio;
  return std::max(options.unwrap.max_output, scaled);
}

bool is_package(Bytes head) {
  const std::string_view s = as_chars(head);
  return s.starts_with("!<arch>\ndebian-binary") || s.starts_with("\xed\xab\xee\xdb");
}

bool is_package_file(const std::string& path) {
  // Non-blocking, and regular files only: opening a FIFO without a writer
  // waits forever, and reading a device takes what the file reader refuses.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st {};
  std::byte head[32];
  ssize_t n = 0;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) n = ::read(fd, head, sizeof head);
  ::close(fd);
  return n > 0 && is_package(Bytes(head, static_cast<size_t>(n)));
}

Result<PackageReport> inspect_package(const std::string& path, const InspectOptions& options,
                                      unsigned jobs, const PackageProgress& progress) {
  if (const auto& loaded = load_libarchive(); !loaded) return Error(loaded.error());
  LUCOMPAT_TRY(file, read_file(path, options.max_file_size));
  const Bytes bytes = file->bytes();
  PackageReport out;
  out.input = path;
  out.format = as_chars(bytes).starts_with("!<arch>") ? "deb" : "rpm";
  out.modules.root = path + "!lib/modules";
  // One --max-output budget for the whole package: its members and every
  // stream inside them.
  InspectOptions package_options = options;
  const auto budget = std::make_shared<OutputBudget>(package_budget(options, bytes.size()));
  package_options.unwrap.budget = budget;
  std::atomic<bool> stop{false};
  Meter meter(progress, bytes.size());
  InspectPool pool(
      jobs, 64, [&meter](size_t, size_t) { meter.show(); }, kMaxHeld);
  meter.count(pool);
  Reader reader(path, package_options, pool, stop, meter, out);
  auto walked = catch_parse_errors([&] {
    ArchivePtr a(ar().archive_read_new(), ar().archive_read_free);
    ar().archive_read_support_filter_all(a.get());
    ar().archive_read_support_format_ar(a.get());
    ar().archive_read_support_format_cpio(a.get());
    // Read with read(2), not from the mapping: a mapped package's pages
    // stay in the peak RSS once read (a 70 MB .deb made it 100 MB).
    if (ar().archive_read_open_filename(a.get(), path.c_str(), size_t{1} << 20) != ARCHIVE_OK)
      fail(ErrorKind::malformed, std::nullopt,
           fmt::format("not a readable {} package: {}", out.format,
                       ar().archive_error_string(a.get())));
    const Meter::Watch watch(meter, a.get());
    reader.walk(a.get(), "");
    return true;
  });
  auto results = pool.finish();
  meter.finish();
  if (!walked) return with_input(std::move(walked).error(), path);
  if (auto e = over_limit(*budget, results, path, "the package's members")) return *e;
  for (size_t i = 0; i < results.size(); ++i)
    out.modules.modules.push_back({std::move(reader.module_paths_[i]), std::move(results[i])});
  summarize(out.modules);
  if (out.kernels.empty() && out.modules.modules.empty()) {
    std::string message = fmt::format(
        "this {} package {}holds no kernel image and no kernel module", out.format,
        out.control.package.empty() ? "" : fmt::format("({}) ", printable(out.control.package)));
    // A metapackage (linux-image-amd64) only points at the kernel's package.
    if (const std::string holder = kernel_dependency(out.control); !holder.empty())
      message += fmt::format("; it depends on {}: inspect that package", printable(holder));
    return Error{ErrorKind::unsupported, path, std::nullopt, std::move(message)};
  }
  return out;
}

}  // namespace lucompat
