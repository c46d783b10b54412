#include "lucompat/fleet/host_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

namespace lucompat {
namespace {

using nlohmann::json;

json kernel_json(const KernelFacts& k) {
  return {{"release", k.release},
          {"banner", k.banner},
          {"build_id", k.build_id},
          {"arch", k.arch},
          {"has_version_set", k.has_version_set},
          {"strings", k.strings},
          {"evidence", k.evidence},
          {"undecided", k.undecided.empty() ? json(nullptr) : json(k.undecided)}};
}

// Reads typed fields with the path of the first one that is wrong.
class Fields {
 public:
  Fields(const json& doc, std::string path, const std::string& where)
      : doc_(doc), path_(std::move(path)), where_(where) {}

  std::optional<Error> error;

  const json* get(const char* key, json::value_t type, bool required) {
    if (error) return nullptr;
    const std::string field = path_.empty() ? key : path_ + "." + key;
    auto it = doc_.find(key);
    if (it == doc_.end() || it->is_null()) {
      if (required) fail(field, "missing");
      return nullptr;
    }
    const bool ok =
        it->type() == type || (type == json::value_t::number_unsigned && it->is_number_integer());
    if (!ok) {
      fail(field, fmt::format("expected {}, found {}", json(type).type_name(), it->type_name()));
      return nullptr;
    }
    return &*it;
  }
  std::string text(const char* key, bool required) {
    const json* v = get(key, json::value_t::string, required);
    return v ? v->get<std::string>() : std::string();
  }
  std::vector<std::string> strings(const char* key) {
    std::vector<std::string> out;
    const json* v = get(key, json::value_t::array, false);
    if (v == nullptr) return out;
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        fail(fmt::format("{}{}[{}]", path_.empty() ? "" : path_ + ".", key, i),
             "expected a string");
        return {};
      }
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }
  std::map<std::string, std::string> string_map(const char* key) {
    std::map<std::string, std::string> out;
    const json* v = get(key, json::value_t::object, false);
    if (v == nullptr) return out;
    for (const auto& [k, value] : v->items()) {
      if (!value.is_string()) {
        fail(fmt::format("{}{}.{}", path_.empty() ? "" : path_ + ".", key, k), "expected a string");
        return {};
      }
      out[k] = value.get<std::string>();
    }
    return out;
  }
  void fail(const std::string& field, const std::string& what) {
    if (!error)
      error = Error{ErrorKind::malformed, where_, std::nullopt, fmt::format("{}: {}", field, what)};
  }

 private:
  const json& doc_;
  std::string path_;
  const std::string& where_;
};

std::optional<KernelFacts> read_kernel(const json& doc, const char* key, bool required, bool v1,
                                       const std::string& where, std::optional<Error>& error) {
  Fields top(doc, "", where);
  const json* k = top.get(key, json::value_t::object, required);
  if (top.error) error = top.error;
  if (k == nullptr) return std::nullopt;
  Fields f(*k, key, where);
  KernelFacts out;
  out.release = f.text("release", true);
  out.banner = f.text("banner", false);
  out.build_id = f.text("build_id", false);
  out.arch = f.text("arch", true);
  if (const json* t = f.get(v1 ? "has_table" : "has_version_set", json::value_t::boolean, true))
    out.has_version_set = t->get<bool>();
  out.strings = f.strings("strings");
  out.evidence = f.text("evidence", false);
  out.undecided = f.text("undecided", false);  // null: nothing stands in the way
  std::sort(out.strings.begin(), out.strings.end());
  out.strings.erase(std::unique(out.strings.begin(), out.strings.end()), out.strings.end());
  if (!f.error && out.banner.empty() && out.build_id.empty())
    f.fail(key, "needs a build_id or a banner to identify the kernel build");
  if (f.error) error = f.error;
  return out;
}

// The text is quoted whole only when short: a 30,000-digit fraction is not
// worth echoing.
std::string quoted(const std::string& text) {
  return text.size() <= 64 ? fmt::format("\"{}\"", text)
                           : fmt::format("a {}-byte string", text.size());
}

std::optional<LiveUpdateOutcome> read_live_update(const json& doc, const std::string& where,
                                                  std::optional<Error>& error) {
  Fields top(doc, "", where);
  const json* o = top.get("live_update", json::value_t::object, false);
  if (top.error) error = top.error;
  if (o == nullptr) return std::nullopt;
  Fields f(*o, "live_update", where);
  LiveUpdateOutcome out;
  const std::string result = f.text("result", true);
  if (const auto r = result_from_name(result))
    out.result = *r;
  else if (!f.error)
    f.fail("live_update.result", fmt::format("unknown outcome {}", quoted(result)));
  if (const json* p = f.get("previous_release", json::value_t::string, false))
    out.previous_release = p->get<std::string>();
  if (const json* c = f.get("kexec_count", json::value_t::number_unsigned, false))
    out.kexec_count = c->get<uint64_t>();
  out.evidence = f.strings("evidence");
  if (f.error) error = f.error;
  return out;
}

std::optional<InstalledCheck> read_installed_check(const json& doc, const std::string& where,
                                                   std::optional<Error>& error) {
  Fields top(doc, "", where);
  const json* c = top.get("installed_check", json::value_t::object, false);
  if (top.error) error = top.error;
  if (c == nullptr) return std::nullopt;
  Fields f(*c, "installed_check", where);
  InstalledCheck out;
  out.entry = f.text("entry", true);
  out.record = f.text("record", false);
  out.verdict = f.text("verdict", true);
  if (const json* code = f.get("exit_code", json::value_t::number_unsigned, true)) {
    if (is_check_outcome(out.verdict, code->get<int64_t>()))
      out.exit_code = static_cast<int>(code->get<int64_t>());
    else
      f.fail("installed_check", fmt::format("{} with exit code {} is no outcome of lucompat check",
                                            lucompat::quoted(out.verdict), code->dump()));
  }
  out.summary = f.text("summary", false);
  out.against_banner = f.text("against_banner", false);
  if (const json* a = f.get("against_running", json::value_t::boolean, false))
    out.against_running = a->get<bool>();
  out.next_banner = f.text("next_banner", false);
  if (f.error) error = f.error;
  return out;
}

void check_time(const std::string& text, UtcTime now, Fields& f) {
  const auto t = parse_utc(text);
  if (!t) {
    f.fail("collected_at",
           fmt::format("{} is not a UTC time like 2026-11-27T05:33:00Z (a real date, at most {} "
                       "fraction digits)",
                       quoted(text), kMaxFractionDigits));
  } else if (*t > plus_seconds(now, kMaxReportAheadSeconds)) {
    f.fail("collected_at",
           fmt::format("{} is in the future: more than {} hours ahead of this host's clock ({})",
                       quoted(text), kMaxReportAheadSeconds / 3600, format_utc(now)));
  }
}

}  // namespace

std::string KernelFacts::identity() const {
  return build_id.empty() ? "banner:" + banner : "build-id:" + build_id;
}

namespace {

json live_update_json(const std::optional<LiveUpdateOutcome>& o) {
  if (!o) return nullptr;
  return {{"result", result_name(o->result)},
          {"previous_release", o->previous_release ? json(*o->previous_release) : json(nullptr)},
          {"kexec_count", o->kexec_count ? json(*o->kexec_count) : json(nullptr)},
          {"evidence", o->evidence}};
}

json installed_check_json(const std::optional<InstalledCheck>& c) {
  if (!c) return nullptr;
  return {{"entry", c->entry},
          {"record", c->record},
          {"verdict", c->verdict},
          {"exit_code", c->exit_code},
          {"summary", c->summary},
          {"against_banner", c->against_banner},
          {"against_running", c->against_running},
          {"next_banner", c->next_banner}};
}

}  // namespace

json report_json(const HostReport& r) {
  return {{"schema", kReportSchema},
          {"host", r.host},
          {"labels", r.labels},
          {"collected_at", r.collected_at},
          {"running", kernel_json(r.running)},
          {"staged", r.staged ? kernel_json(*r.staged) : json(nullptr)},
          {"profile", r.profile.empty() ? json(nullptr) : json(r.profile)},
          {"vmm_features", r.vmm_features},
          {"emit", r.emit},
          {"live_update", live_update_json(r.live_update)},
          {"installed_check", installed_check_json(r.installed_check)},
          {"boot_id", r.boot_id.empty() ? json(nullptr) : json(r.boot_id)}};
}

Result<HostReport> parse_report(const json& doc, const std::string& where) {
  return parse_report(doc, where, utc_clock_now());
}

Result<HostReport> parse_report(const json& doc, const std::string& where, UtcTime now) {
  if (!doc.is_object())
    return Error{ErrorKind::malformed, where, std::nullopt, "a report is a JSON object"};
  Fields f(doc, "", where);
  const std::string schema = f.text("schema", true);
  const bool v1 = schema == kReportSchemaV1;
  if (!f.error && schema != kReportSchema && !v1)
    f.fail("schema", fmt::format("\"{}\" is not {} or {} (the versions this lucompat reads)",
                                 schema, kReportSchema, kReportSchemaV1));
  HostReport r;
  r.host = f.text("host", true);
  if (!f.error && r.host.empty()) f.fail("host", "empty");
  r.collected_at = f.text("collected_at", true);
  if (!f.error) check_time(r.collected_at, now, f);
  r.labels = f.string_map("labels");
  r.profile = f.text("profile", false);
  r.vmm_features = f.strings("vmm_features");
  r.emit = f.string_map("emit");
  if (f.error) return *f.error;
  std::optional<Error> error;
  if (auto k = read_kernel(doc, "running", true, v1, where, error)) r.running = std::move(*k);
  if (error) return *error;
  r.staged = read_kernel(doc, "staged", false, v1, where, error);
  if (error) return *error;
  r.live_update = read_live_update(doc, where, error);
  if (error) return *error;
  r.installed_check = read_installed_check(doc, where, error);
  if (error) return *error;
  r.boot_id = f.text("boot_id", false);
  if (f.error) return *f.error;
  return r;
}

std::string utc_now() { return utc_time(std::time(nullptr)); }

std::string utc_time(std::time_t t) { return format_utc(utc_from(t)); }

}  // namespace lucompat
