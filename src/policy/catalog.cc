#include "lucompat/policy/catalog.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <charconv>

#include "policy/toml_config.h"

namespace lucompat {
namespace {

// "kvm_vm_luo_v{N}" -> ^kvm_vm_luo_v([0-9]+)$, every other character literal.
std::regex pattern_regex(const std::string& pattern) {
  std::string re = "^";
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern.compare(i, 3, "{N}") == 0) {
      re += "([0-9]+)";
      i += 2;
    } else if (std::string_view("\\^$.|?*+()[]{}").find(pattern[i]) != std::string_view::npos) {
      re += '\\';
      re += pattern[i];
    } else {
      re += pattern[i];
    }
  }
  return std::regex(re + "$");
}

Result<Family> read_family(const toml::table& t, const std::string& origin) {
  Family f;
  f.source = fmt::format("{}:{}", origin, t.source().begin.line);
  for (const auto& [key, value] : t) {
    static const std::vector<std::string_view> known{"name", "class", "description", "compatible",
                                                     "fd", "required"};
    if (std::find(known.begin(), known.end(), key.str()) == known.end())
      return config_error(origin, value.source(),
                          fmt::format("unknown key \"{}\" (known: name, class, description, "
                                      "compatible, fd, required)",
                                      key.str()));
  }
  const auto name = t["name"].value<std::string>();
  if (!name || name->empty())
    return config_error(origin, t.source(), "a family needs a name (a non-empty string)");
  f.name = *name;
  const std::string cls = t["class"].value_or(std::string("file"));
  if (cls == "core") f.cls = FamilyClass::core;
  else if (cls == "file") f.cls = FamilyClass::file;
  else if (cls == "flb") f.cls = FamilyClass::flb;
  else
    return config_error(origin, t["class"].node()->source(),
                        fmt::format("class \"{}\" is not core, file or flb", cls));
  f.description = t["description"].value_or(std::string());
  if (auto e = read_strings(t, "compatible", origin, f.compatible)) return *e;
  if (auto e = read_strings(t, "fd", origin, f.fd)) return *e;
  if (f.compatible.empty())
    return config_error(origin, t.source(),
                        fmt::format("family {} needs at least one compatible pattern", f.name));
  for (const auto& p : f.compatible)
    if (p.find("{N}") == std::string::npos || p.find("{N}") != p.rfind("{N}"))
      return config_error(origin, t["compatible"].node()->source(),
                          fmt::format("pattern \"{}\" must hold {{N}}, the version, exactly once", p));
  if (const toml::node* r = t.get("required")) {
    if (!r->is_boolean()) return config_error(origin, r->source(), "required must be true or false");
    f.required = **r->as_boolean();
  }
  return f;
}

std::optional<unsigned> version_of(const std::string& digits) {
  unsigned v = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string_view name(FamilyClass c) {
  switch (c) {
    case FamilyClass::core: return "core";
    case FamilyClass::file: return "file";
    case FamilyClass::flb: return "flb";
  }
  return "unknown";
}

Result<bool> Catalog::add(std::string_view text, const std::string& origin) {
  auto parsed = parse_toml(text, origin);
  if (!parsed) return std::move(parsed).error();
  const toml::table& doc = *parsed;
  for (const auto& [key, value] : doc)
    if (key.str() != "family")
      return config_error(origin, value.source(),
                          fmt::format("unknown key \"{}\": a catalog holds [[family]] tables", key.str()));
  const toml::node* list = doc.get("family");
  if (list == nullptr) return true;
  const toml::array* families = list->as_array();
  if (families == nullptr) return config_error(origin, list->source(), "family must be [[family]] tables");
  for (const auto& node : *families) {
    const toml::table* t = node.as_table();
    if (t == nullptr) return config_error(origin, node.source(), "family must be [[family]] tables");
    auto f = read_family(*t, origin);
    if (!f) return std::move(f).error();
    // A later definition of the same family replaces the earlier one, so a
    // site catalog can override the shipped one.
    auto same = std::find_if(families_.begin(), families_.end(),
                             [&](const Family& g) { return g.name == f->name; });
    if (same != families_.end()) *same = std::move(f).value();
    else families_.push_back(std::move(f).value());
  }
  rebuild_patterns();
  return true;
}

void Catalog::rebuild_patterns() {
  patterns_.clear();
  for (size_t i = 0; i < families_.size(); ++i)
    for (const auto& p : families_[i].compatible) patterns_.push_back({i, pattern_regex(p)});
}

const Family* Catalog::find(std::string_view family) const {
  for (const auto& f : families_)
    if (f.name == family) return &f;
  return nullptr;
}

ParsedCompatible Catalog::parse(std::string_view compatible) const {
  const std::string s(compatible);
  std::smatch m;
  for (const auto& p : patterns_)
    if (std::regex_match(s, m, p.regex))
      return {families_[p.family].name, version_of(m[1].str()), true};
  // Unknown: the usual "name-vN" / "name_vN" shape, else the whole string.
  static const std::regex generic("^(.+?)[-_]v([0-9]+)$");
  if (std::regex_match(s, m, generic))
    return {m[1].str(), version_of(m[2].str()), false};
  return {s, std::nullopt, false};
}

const Family* Catalog::family_of_fd(std::string_view link) const {
  const std::string l(link);
  for (const auto& f : families_)
    for (const auto& p : f.fd)
      if (::fnmatch(p.c_str(), l.c_str(), 0) == 0) return &f;
  return nullptr;
}

}  // namespace lucompat
