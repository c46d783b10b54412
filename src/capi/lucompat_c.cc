// The C API over the library. Every entry point is a fence: exceptions become
// status codes, errors become the thread's last-error message.
#include "lucompat/lucompat.h"

#include <exception>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "lucompat/check/update_check.h"
#include "lucompat/inspect/inspect.h"
#include "lucompat/policy/profile.h"
#include "lucompat/report/check_report.h"
#include "lucompat/report/reasons.h"

struct lucompat_image {
  lucompat::Inspection inspection;
  std::string format;
  std::vector<std::string> entries;
};

struct lucompat_check_options {
  lucompat::CheckRequest request;
  std::string root = "/";
};

// The words are made once, so the pointers the getters return live as long
// as the result.
struct lucompat_check_result {
  explicit lucompat_check_result(lucompat::CheckOutcome o)
      : outcome(std::move(o)), summary(lucompat::summary_of(outcome)) {
    for (const auto& f : outcome.report.families) reasons.push_back(lucompat::describe(f.reasons));
    update = lucompat::describe(outcome.report.update);
  }
  lucompat::CheckOutcome outcome;
  std::string summary;
  std::vector<std::vector<std::string>> reasons;  // of each family
  std::vector<std::string> update;                // of the whole update
};

struct lucompat_selection {
  std::vector<std::string> names;
  std::vector<int> viable;
  std::string selected;
  bool has_selection = false;
};

namespace {

thread_local std::string last_error;

lucompat_status fail(lucompat_status status, std::string message) {
  last_error = std::move(message);
  return status;
}

lucompat_status from(const lucompat::Error& e) {
  return fail(e.kind == lucompat::ErrorKind::usage ? LUCOMPAT_ERR_USAGE : LUCOMPAT_ERR_INPUT,
              e.to_string());
}

// Runs `f`, turning exceptions into a status.
template <typename F>
lucompat_status fenced(F&& f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return fail(LUCOMPAT_ERR_NOMEM, "out of memory");
  } catch (const std::exception& e) {
    return fail(LUCOMPAT_ERR_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail(LUCOMPAT_ERR_INTERNAL, "internal error");
  }
}

lucompat_status need(const void* p, const char* what) {
  return p == nullptr ? fail(LUCOMPAT_ERR_USAGE, std::string(what) + " is NULL") : LUCOMPAT_OK;
}

lucompat::CheckRequest request_of(const lucompat_check_options* o) {
  lucompat::CheckRequest r = o->request;
  r.root = lucompat::SystemRoot(o->root);
  return r;
}

lucompat_verdict verdict_of(lucompat::Verdict v) {
  switch (v) {
    case lucompat::Verdict::compatible:
      return LUCOMPAT_COMPATIBLE;
    case lucompat::Verdict::warning:
      return LUCOMPAT_WARNING;
    case lucompat::Verdict::undecided:
      return LUCOMPAT_UNDECIDED;
    case lucompat::Verdict::incompatible:
      return LUCOMPAT_INCOMPATIBLE;
    case lucompat::Verdict::unused:
      return LUCOMPAT_NOT_USED;
    case lucompat::Verdict::not_preservable:
      return LUCOMPAT_NOT_PRESERVABLE;
  }
  return LUCOMPAT_UNDECIDED;
}

template <typename T>
const T* at(const std::vector<T>& v, size_t i) {
  return i < v.size() ? &v[i] : nullptr;
}

template <typename F>
lucompat_status set(lucompat_check_options* o, F&& f) {
  return fenced([&] {
    if (auto s = need(o, "options"); s != LUCOMPAT_OK) return s;
    return f();
  });
}
lucompat_status text_arg(const char* s, const char* what, std::string& into) {
  if (auto st = need(s, what); st != LUCOMPAT_OK) return st;
  into = s;
  return LUCOMPAT_OK;
}
lucompat_status append(lucompat_check_options* o, const char* s, const char* what,
                       std::vector<std::string> lucompat::CheckRequest::*list) {
  return set(o, [&] {
    std::string value;
    if (auto st = text_arg(s, what, value); st != LUCOMPAT_OK) return st;
    (o->request.*list).push_back(std::move(value));
    return LUCOMPAT_OK;
  });
}

}  // namespace

extern "C" {

const char* lucompat_version(void) { return LUCOMPAT_VERSION; }
const char* lucompat_last_error(void) { return last_error.c_str(); }

lucompat_status lucompat_image_open(const char* path, lucompat_image** out) {
  return lucompat_image_open_with_catalog(path, nullptr, nullptr, 0, out);
}

lucompat_status lucompat_image_open_with_catalog(const char* path, const char* root,
                                                 const char* const* catalogs, size_t count,
                                                 lucompat_image** out) {
  return fenced([&] {
    if (auto s = need(path, "path"); s != LUCOMPAT_OK) return s;
    if (auto s = need(out, "out"); s != LUCOMPAT_OK) return s;
    *out = nullptr;
    if (count != 0)
      if (auto s = need(catalogs, "catalogs"); s != LUCOMPAT_OK) return s;
    std::vector<std::string> files;
    for (size_t i = 0; i < count; ++i) {
      if (auto s = need(catalogs[i], "a catalog file"); s != LUCOMPAT_OK) return s;
      files.emplace_back(catalogs[i]);
    }
    // Searched for the site's core and subtree families too, as the
    // command line and check search every kernel.
    auto catalog = lucompat::load_catalog(lucompat::SystemRoot(root ? root : "/"), files);
    if (!catalog) return from(catalog.error());
    lucompat::InspectOptions options;
    options.core_forms = catalog->core_forms();
    auto r = lucompat::inspect_file(path, options);
    if (!r) return from(r.error());
    auto image = new lucompat_image{std::move(r).value(), {}, {}};
    image->format = image->inspection.describe_chain();
    for (const auto& e : declared_entries(image->inspection))
      image->entries.push_back(e.compatible);
    *out = image;
    return LUCOMPAT_OK;
  });
}

void lucompat_image_free(lucompat_image* image) { delete image; }

const char* lucompat_image_format(const lucompat_image* i) {
  return i ? i->format.c_str() : nullptr;
}
// What is not known is NULL, as everywhere in the API, never "".
const char* known(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

const char* lucompat_image_release(const lucompat_image* i) {
  return i ? known(i->inspection.identity.release) : nullptr;
}
const char* lucompat_image_banner(const lucompat_image* i) {
  return i ? known(i->inspection.identity.banner) : nullptr;
}
const char* lucompat_image_build_id(const lucompat_image* i) {
  return i ? known(i->inspection.identity.build_id) : nullptr;
}
const char* lucompat_image_arch(const lucompat_image* i) {
  return i ? known(i->inspection.arch) : nullptr;
}
int lucompat_image_has_table(const lucompat_image* i) {
  return i && has_version_set(i->inspection) ? 1 : 0;
}
size_t lucompat_image_entry_count(const lucompat_image* i) { return i ? i->entries.size() : 0; }
const char* lucompat_image_entry(const lucompat_image* i, size_t index) {
  const std::string* s = i ? at(i->entries, index) : nullptr;
  return s ? s->c_str() : nullptr;
}

lucompat_check_options* lucompat_check_options_new(void) {
  try {
    return new lucompat_check_options();
  } catch (...) {
    fail(LUCOMPAT_ERR_NOMEM, "out of memory");
    return nullptr;
  }
}

void lucompat_check_options_free(lucompat_check_options* o) { delete o; }

lucompat_status lucompat_check_options_set_current(lucompat_check_options* o, const char* path) {
  return set(o, [&] { return text_arg(path, "path", o->request.current); });
}
lucompat_status lucompat_check_options_set_next(lucompat_check_options* o, const char* path) {
  return set(o, [&] { return text_arg(path, "path", o->request.next); });
}
lucompat_status lucompat_check_options_set_root(lucompat_check_options* o, const char* dir) {
  return set(o, [&] { return text_arg(dir, "dir", o->root); });
}
lucompat_status lucompat_check_options_set_modules(lucompat_check_options* o, int join) {
  return set(o, [&] {
    o->request.no_modules = join == 0;
    return LUCOMPAT_OK;
  });
}
lucompat_status lucompat_check_options_add_uses(lucompat_check_options* o, const char* family) {
  return append(o, family, "family", &lucompat::CheckRequest::uses);
}
lucompat_status lucompat_check_options_add_pid(lucompat_check_options* o, int pid) {
  return set(o, [&] {
    if (pid <= 0) return fail(LUCOMPAT_ERR_USAGE, "pid must be positive");
    o->request.pids.push_back(pid);
    return LUCOMPAT_OK;
  });
}
lucompat_status lucompat_check_options_add_emit(lucompat_check_options* o, const char* family,
                                                const char* compatible) {
  return set(o, [&] {
    std::string f, c;
    if (auto s = text_arg(family, "family", f); s != LUCOMPAT_OK) return s;
    if (auto s = text_arg(compatible, "compatible", c); s != LUCOMPAT_OK) return s;
    o->request.emits.push_back(f + "=" + c);
    return LUCOMPAT_OK;
  });
}
lucompat_status lucompat_check_options_add_catalog(lucompat_check_options* o, const char* file) {
  return append(o, file, "file", &lucompat::CheckRequest::catalogs);
}
lucompat_status lucompat_check_options_add_profiles(lucompat_check_options* o, const char* file) {
  return append(o, file, "file", &lucompat::CheckRequest::profile_files);
}
lucompat_status lucompat_check_options_set_profile(lucompat_check_options* o, const char* name) {
  return set(o, [&] {
    std::string n;
    if (auto s = text_arg(name, "name", n); s != LUCOMPAT_OK) return s;
    o->request.profile = n;
    return LUCOMPAT_OK;
  });
}
lucompat_status lucompat_check_options_set_strict(lucompat_check_options* o, int strict) {
  return set(o, [&] {
    o->request.strict = strict != 0;
    return LUCOMPAT_OK;
  });
}

lucompat_status lucompat_check(const lucompat_check_options* o, lucompat_check_result** out) {
  return fenced([&] {
    if (auto s = need(o, "options"); s != LUCOMPAT_OK) return s;
    if (auto s = need(out, "out"); s != LUCOMPAT_OK) return s;
    *out = nullptr;
    if (o->request.next.empty())
      return fail(LUCOMPAT_ERR_USAGE, "no next kernel: call lucompat_check_options_set_next");
    auto r = lucompat::run_check(request_of(o));
    if (!r) return from(r.error());
    *out = new lucompat_check_result(std::move(r).value());
    return LUCOMPAT_OK;
  });
}

void lucompat_check_result_free(lucompat_check_result* r) { delete r; }

lucompat_verdict lucompat_check_verdict(const lucompat_check_result* r) {
  return r ? verdict_of(r->outcome.report.verdict) : LUCOMPAT_UNDECIDED;
}
const char* lucompat_check_summary(const lucompat_check_result* r) {
  return r ? r->summary.c_str() : nullptr;
}
size_t lucompat_check_family_count(const lucompat_check_result* r) {
  return r ? r->outcome.report.families.size() : 0;
}
const char* lucompat_check_family_name(const lucompat_check_result* r, size_t i) {
  const auto* f = r ? at(r->outcome.report.families, i) : nullptr;
  return f ? f->family.c_str() : nullptr;
}
lucompat_verdict lucompat_check_family_verdict(const lucompat_check_result* r, size_t i) {
  const auto* f = r ? at(r->outcome.report.families, i) : nullptr;
  return f ? verdict_of(f->verdict) : LUCOMPAT_UNDECIDED;
}
const char* lucompat_check_family_chosen(const lucompat_check_result* r, size_t i) {
  const auto* f = r ? at(r->outcome.report.families, i) : nullptr;
  return f && !f->chosen.empty() ? f->chosen.c_str() : nullptr;
}
size_t lucompat_check_family_reason_count(const lucompat_check_result* r, size_t i) {
  const auto* f = r ? at(r->reasons, i) : nullptr;
  return f ? f->size() : 0;
}
const char* lucompat_check_family_reason(const lucompat_check_result* r, size_t i, size_t reason) {
  const auto* f = r ? at(r->reasons, i) : nullptr;
  const std::string* s = f ? at(*f, reason) : nullptr;
  return s ? s->c_str() : nullptr;
}
const char* lucompat_check_family_reason_code(const lucompat_check_result* r, size_t i,
                                              size_t reason) {
  const auto* f = r ? at(r->outcome.report.families, i) : nullptr;
  const lucompat::Reason* why = f ? at(f->reasons, reason) : nullptr;
  // Names are string literals: static storage, NUL-terminated.
  return why ? lucompat::name(why->code).data() : nullptr;
}

size_t lucompat_check_update_reason_count(const lucompat_check_result* r) {
  return r ? r->update.size() : 0;
}
const char* lucompat_check_update_reason(const lucompat_check_result* r, size_t reason) {
  const std::string* s = r ? at(r->update, reason) : nullptr;
  return s ? s->c_str() : nullptr;
}
const char* lucompat_check_update_reason_code(const lucompat_check_result* r, size_t reason) {
  const lucompat::Reason* why = r ? at(r->outcome.report.update, reason) : nullptr;
  return why ? lucompat::name(why->code).data() : nullptr;
}
const char* lucompat_check_update_reason_cause(const lucompat_check_result* r, size_t reason) {
  const lucompat::Reason* why = r ? at(r->outcome.report.update, reason) : nullptr;
  return why && why->cause ? lucompat::name(*why->cause).data() : nullptr;
}

lucompat_status lucompat_profile_select(const lucompat_check_options* o, lucompat_selection** out) {
  return fenced([&] {
    if (auto s = need(o, "options"); s != LUCOMPAT_OK) return s;
    if (auto s = need(out, "out"); s != LUCOMPAT_OK) return s;
    *out = nullptr;
    auto in = lucompat::load_update(request_of(o));
    if (!in) return from(in.error());
    const auto s = lucompat::select_profile(in->profiles, in->catalog, in->current.strings,
                                            in->next.strings, in->policy.pins);
    auto sel = new lucompat_selection();
    for (const auto& v : s.verdicts) {
      sel->names.push_back(v.profile->name);
      sel->viable.push_back(v.viable ? 1 : 0);
    }
    if (s.selected != nullptr && !in->no_table) {
      sel->selected = s.selected->name;
      sel->has_selection = true;
    }
    *out = sel;
    return LUCOMPAT_OK;
  });
}

void lucompat_selection_free(lucompat_selection* s) { delete s; }

const char* lucompat_selection_selected(const lucompat_selection* s) {
  return s && s->has_selection ? s->selected.c_str() : nullptr;
}
size_t lucompat_selection_count(const lucompat_selection* s) { return s ? s->names.size() : 0; }
const char* lucompat_selection_name(const lucompat_selection* s, size_t i) {
  const std::string* n = s ? at(s->names, i) : nullptr;
  return n ? n->c_str() : nullptr;
}
int lucompat_selection_viable(const lucompat_selection* s, size_t i) {
  const int* v = s ? at(s->viable, i) : nullptr;
  return v ? *v : 0;
}

}  // extern "C"
