#include "lucompat/catalog/catalog.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <charconv>

#include "lucompat/catalog/toml_config.h"
#include "lucompat/table/compatible.h"

namespace lucompat {
namespace {

constexpr std::string_view kVersion = "{N}";
// An index in place of the version: the family's strings are distinct
// objects handed over together, not versions of one.
constexpr std::string_view kIndex = "{I}";

// Where a pattern's number sits, and which placeholder holds it.
std::pair<size_t, std::string_view> placeholder(std::string_view p) {
  if (const size_t at = p.find(kVersion); at != std::string_view::npos) return {at, kVersion};
  return {p.find(kIndex), kIndex};
}

// A kernel's compatible string holds at most 47 characters (48 with its NUL).
constexpr size_t kMaxCompatible = 47;

size_t count(std::string_view s, std::string_view what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string_view::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The digits of `s` between `prefix` and `suffix`, if `s` is exactly that.
std::optional<std::string_view> version_digits(std::string_view s, std::string_view prefix,
                                               std::string_view suffix) {
  if (s.size() < prefix.size() + suffix.size() || !s.starts_with(prefix) || !s.ends_with(suffix))
    return std::nullopt;
  const std::string_view middle = s.substr(prefix.size(), s.size() - prefix.size() - suffix.size());
  if (!all_digits(middle)) return std::nullopt;
  return middle;
}

std::optional<Error> read_class(const toml::table& t, const std::string& origin, Family& f) {
  const std::string cls = t["class"].value_or(std::string("file"));
  if (cls == "core")
    f.cls = FamilyClass::core;
  else if (cls == "subtree")
    f.cls = FamilyClass::subtree;
  else if (cls == "file")
    f.cls = FamilyClass::file;
  else if (cls == "flb")
    f.cls = FamilyClass::flb;
  else
    return config_error(origin, t["class"].node()->source(),
                        fmt::format("class \"{}\" is not core, subtree, file or flb", cls));
  return std::nullopt;
}

// Each compatible pattern holds one placeholder, all of a family the same
// kind ({I} only for file and flb families), and fits a compatible string.
// Sets f.indexed.
std::optional<Error> check_patterns(const toml::table& t, const std::string& origin, Family& f) {
  for (const auto& p : f.compatible) {
    const size_t versions = count(p, kVersion), indexes = count(p, kIndex);
    if (versions + indexes != 1)
      return config_error(origin, t["compatible"].node()->source(),
                          fmt::format("pattern \"{}\" must hold exactly once {{N}}, the version, "
                                      "or {{I}}, an index",
                                      p));
    const bool indexed = indexes == 1;
    if (&p != &f.compatible.front() && indexed != f.indexed)
      return config_error(origin, t["compatible"].node()->source(),
                          fmt::format("family {}: its patterns mix {{N}} and {{I}}", f.name));
    f.indexed = indexed;
    if (indexed && f.cls != FamilyClass::flb && f.cls != FamilyClass::file)
      return config_error(origin, t["compatible"].node()->source(),
                          fmt::format("family {}: {{I}} is for file and flb families", f.name));
    if (p.size() - kVersion.size() + 1 > kMaxCompatible)
      return config_error(origin, t["compatible"].node()->source(),
                          fmt::format("pattern \"{}\" is longer than a compatible string can be "
                                      "({} characters)",
                                      p, kMaxCompatible));
  }
  return std::nullopt;
}

Result<Family> read_family(const toml::table& t, const std::string& origin) {
  Family f;
  f.source = fmt::format("{}:{}", origin, t.source().begin.line);
  for (const auto& [key, value] : t) {
    static const std::vector<std::string_view> known{
        "name",     "class", "description", "compatible", "fd",
        "required", "needs", "always",      "mismatch",   "shape_only"};
    if (std::find(known.begin(), known.end(), key.str()) == known.end())
      return config_error(origin, value.source(),
                          fmt::format("unknown key \"{}\" (known: name, class, description, "
                                      "compatible, fd, required, needs, always, mismatch, "
                                      "shape_only)",
                                      key.str()));
  }
  const auto name = t["name"].value<std::string>();
  if (!name || name->empty())
    return config_error(origin, t.source(), "a family needs a name (a non-empty string)");
  f.name = *name;
  if (auto e = read_class(t, origin, f)) return *e;
  f.description = t["description"].value_or(std::string());
  if (auto e = read_strings(t, "compatible", origin, f.compatible)) return *e;
  if (auto e = read_strings(t, "fd", origin, f.fd)) return *e;
  if (auto e = read_strings(t, "needs", origin, f.needs)) return *e;
  f.mismatch = t["mismatch"].value_or(std::string());
  if (const toml::node* a = t.get("always")) {
    if (!a->is_boolean()) return config_error(origin, a->source(), "always must be true or false");
    f.always = **a->as_boolean();
  }
  if (const toml::node* a = t.get("shape_only")) {
    if (!a->is_boolean())
      return config_error(origin, a->source(), "shape_only must be true or false");
    f.shape_only = **a->as_boolean();
  }
  if ((f.cls != FamilyClass::core && f.always) ||
      (f.cls != FamilyClass::core && f.cls != FamilyClass::subtree && !f.mismatch.empty()))
    return config_error(
        origin, t.source(),
        fmt::format("family {}: always is for core families, mismatch for core and subtree ones",
                    f.name));
  if (f.compatible.empty())
    return config_error(origin, t.source(),
                        fmt::format("family {} needs at least one compatible pattern", f.name));
  if (auto e = check_patterns(t, origin, f)) return *e;
  if (const toml::node* r = t.get("required")) {
    if (!r->is_boolean())
      return config_error(origin, r->source(), "required must be true or false");
    f.required = **r->as_boolean();
  }
  return f;
}

std::optional<unsigned> version_of(std::string_view digits) {
  unsigned v = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return v;
}

// "luo_file_handler_list", "luo_flb_global.list": C identifiers joined by dots.
bool is_list_name(std::string_view n) {
  bool start = true;
  for (const char c : n) {
    if (c == '.') {
      if (start) return false;
      start = true;
      continue;
    }
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && (start || c < '0' || c > '9')) return false;
    start = false;
  }
  return !start;
}

// [registration_lists]: names a later catalog puts first, so a site catalog
// names its kernel's lists without repeating the shipped ones.
std::optional<Error> read_lists(const toml::table& doc, const std::string& origin,
                                RegistrationLists& lists) {
  const toml::node* n = doc.get("registration_lists");
  if (n == nullptr) return std::nullopt;
  const toml::table* t = n->as_table();
  if (t == nullptr) return config_error(origin, n->source(), "registration_lists must be a table");
  for (const auto& [key, value] : *t)
    if (key.str() != "file" && key.str() != "flb" && key.str() != "sessions")
      return config_error(origin, value.source(),
                          fmt::format("unknown key \"{}\" in registration_lists (known: file, "
                                      "flb, sessions)",
                                      key.str()));
  for (auto [key, into] : {std::pair{"file", &lists.file}, std::pair{"flb", &lists.flb},
                           std::pair{"sessions", &lists.sessions}}) {
    std::vector<std::string> names;
    if (auto e = read_strings(*t, key, origin, names)) return e;
    for (const std::string& list : names)
      if (!is_list_name(list))
        return config_error(origin, t->get(key)->source(),
                            fmt::format("registration_lists.{}: \"{}\" is not SYMBOL or "
                                        "SYMBOL.MEMBER[.MEMBER...] (C identifiers)",
                                        key, list));
    into->insert(into->begin(), names.begin(), names.end());
  }
  return std::nullopt;
}

}  // namespace

std::string_view name(FamilyClass c) {
  switch (c) {
    case FamilyClass::core:
      return "core";
    case FamilyClass::subtree:
      return "subtree";
    case FamilyClass::file:
      return "file";
    case FamilyClass::flb:
      return "flb";
  }
  return "unknown";
}

Result<void> Catalog::add(std::string_view text, const std::string& origin) {
  LUCOMPAT_TRY(parsed, parse_toml(text, origin));
  const toml::table& doc = *parsed;
  for (const auto& [key, value] : doc)
    if (key.str() != "family" && key.str() != "registration_lists")
      return config_error(origin, value.source(),
                          fmt::format("unknown key \"{}\": a catalog holds [[family]] tables and "
                                      "[registration_lists]",
                                      key.str()));
  if (auto e = read_lists(doc, origin, lists_)) return *e;
  const toml::node* list = doc.get("family");
  if (list == nullptr) return {};
  const toml::array* families = list->as_array();
  if (families == nullptr)
    return config_error(origin, list->source(), "family must be [[family]] tables");
  for (const auto& node : *families) {
    const toml::table* t = node.as_table();
    if (t == nullptr)
      return config_error(origin, node.source(), "family must be [[family]] tables");
    LUCOMPAT_TRY(f, read_family(*t, origin));
    // A later definition of the same family replaces the earlier one, so a
    // site catalog can override the shipped one.
    auto same = std::find_if(families_.begin(), families_.end(),
                             [&](const Family& g) { return g.name == f->name; });
    if (same != families_.end())
      *same = std::move(f).value();
    else
      families_.push_back(std::move(f).value());
  }
  // After the whole file: a family may need an FLB defined below it.
  for (const auto& node : *families) {
    const toml::table& t = *node.as_table();
    const Family* f = find(t["name"].value_or(std::string()));
    for (const auto& need : f->needs)
      if (const Family* flb = find(need); flb == nullptr || flb->cls != FamilyClass::flb)
        return config_error(
            origin, t["needs"].node()->source(),
            fmt::format("family {} needs \"{}\", which is not an flb family", f->name, need));
  }
  rebuild_patterns();
  return {};
}

void Catalog::rebuild_patterns() {
  patterns_.clear();
  for (size_t i = 0; i < families_.size(); ++i)
    for (const auto& p : families_[i].compatible) {
      const auto [at, marker] = placeholder(p);
      patterns_.push_back({i, p.substr(0, at), p.substr(at + marker.size())});
    }
}

std::vector<CompatibleForm> Catalog::core_forms() const {
  std::vector<CompatibleForm> forms;
  for (const Family& f : families_) {
    if (f.cls != FamilyClass::core && f.cls != FamilyClass::subtree) continue;
    for (const std::string& c : f.compatible)
      if (const size_t n = c.find(kVersion); n != std::string::npos)
        forms.push_back({c.substr(0, n), c.substr(n + kVersion.size()),
                         f.cls == FamilyClass::core ? EntryKind::core : EntryKind::subtree});
  }
  return forms;
}

const Family* Catalog::find(std::string_view family) const {
  for (const auto& f : families_)
    if (f.name == family) return &f;
  return nullptr;
}

ParsedComponent Catalog::parse_component(std::string_view component) const {
  const std::string text(component);
  for (const auto& p : patterns_)
    if (auto digits = version_digits(component, p.prefix, p.suffix))
      return {text, families_[p.family].name, version_of(*digits), true};
  // "name@N", an integer-version entry, belongs to the family called
  // `name`, whether or not it spells the form (iommu@2 is iommu's).
  if (const auto integer = parse_integer_compatible(component))
    return {text, std::string(integer->name), integer->version, find(integer->name) != nullptr};
  // Unknown: the usual "name-vN" / "name_vN" shape, else the whole string.
  const size_t digits = component.size() - (component.find_last_not_of("0123456789") + 1);
  const size_t name_end = component.size() - digits;
  if (digits > 0 && name_end >= 3 && component[name_end - 1] == 'v' &&
      (component[name_end - 2] == '-' || component[name_end - 2] == '_'))
    return {text, std::string(component.substr(0, name_end - 2)),
            version_of(component.substr(name_end)), false};
  return {text, text, std::nullopt, false};
}

ParsedCompatible Catalog::parse(std::string_view compatible) const {
  ParsedCompatible out;
  for (std::string_view part : components_of(compatible))
    out.components.push_back(parse_component(part));
  const ParsedComponent& first = out.components.front();
  out.family = first.family;
  out.version = first.version;
  out.known = first.known;
  out.integer = !is_composite(compatible) && parse_integer_compatible(compatible).has_value();
  return out;
}

const Family* Catalog::family_of_fd(std::string_view link) const {
  const std::string l(link);
  for (const auto& f : families_)
    for (const auto& p : f.fd)
      if (::fnmatch(p.c_str(), l.c_str(), 0) == 0) return &f;
  return nullptr;
}

}  // namespace lucompat
