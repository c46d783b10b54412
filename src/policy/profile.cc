#include "lucompat/policy/profile.h"

#include <fmt/format.h>

#include <algorithm>

#include "lucompat/base/printable.h"
#include "lucompat/catalog/toml_config.h"
#include "lucompat/table/compatible.h"

namespace lucompat {
namespace {

// A kernel lists a profile's string when it lists the same components, as
// check reads them: a composite's sub-components in any order.
bool has(const KernelStrings& k, const std::string& s) {
  if (k.find(s) != k.end()) return true;
  const std::string key = component_key(s);
  return std::any_of(k.begin(), k.end(),
                     [&](const auto& listed) { return component_key(listed.first) == key; });
}

// A profile's strings are printed by list and show, and written by env in
// shell and systemd syntax, where a newline starts another assignment
// (LD_PRELOAD=...): one holding a control character is refused where it is.
std::optional<Error> no_controls(const toml::table& t, std::string_view key,
                                 const std::string& origin) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  std::vector<const toml::node*> strings{n};
  if (const toml::array* a = n->as_array()) {
    strings.clear();
    for (const auto& item : *a) strings.push_back(&item);
  }
  for (const toml::node* s : strings)
    if (const auto* text = s->as_string(); text != nullptr && has_control(text->get()))
      return config_error(origin, s->source(),
                          fmt::format("{} \"{}\" holds a control character: a profile's strings "
                                      "are printed, in shell and systemd syntax too",
                                      key, text->get()));
  return std::nullopt;
}

}  // namespace

std::string_view name(ProfileStatus s) {
  switch (s) {
    case ProfileStatus::active:
      return "active";
    case ProfileStatus::deprecated:
      return "deprecated";
    case ProfileStatus::retired:
      return "retired";
  }
  return "unknown";
}

const Profile* ProfileSet::find(std::string_view profile) const {
  for (const auto& p : profiles_)
    if (p.name == profile) return &p;
  return nullptr;
}

Result<void> ProfileSet::add(std::string_view text, const std::string& origin,
                             const Catalog& catalog) {
  LUCOMPAT_TRY(parsed, parse_toml(text, origin));
  const toml::table& doc = *parsed;
  for (const auto& [key, value] : doc)
    if (key.str() != "profile")
      return config_error(
          origin, value.source(),
          fmt::format("unknown key \"{}\": a profile file holds [[profile]] tables", key.str()));
  const toml::node* list = doc.get("profile");
  if (list == nullptr) return {};
  if (!list->is_array_of_tables())
    return config_error(origin, list->source(), "profile must be [[profile]] tables");
  for (const auto& node : *list->as_array()) {
    const toml::table& t = *node.as_table();
    static const std::vector<std::string_view> known{"name",     "status",   "description",
                                                     "requires", "optional", "vmm_features"};
    for (const auto& [key, value] : t)
      if (std::find(known.begin(), known.end(), key.str()) == known.end())
        return config_error(
            origin, value.source(),
            fmt::format("unknown key \"{}\" (known: name, status, description, requires, "
                        "optional, vmm_features)",
                        key.str()));
    for (const std::string_view key :
         {"name", "description", "requires", "optional", "vmm_features"})
      if (auto e = no_controls(t, key, origin)) return *e;
    Profile p;
    p.source = fmt::format("{}:{}", origin, t.source().begin.line);
    const auto name_value = t["name"].value<std::string>();
    if (!name_value || name_value->empty())
      return config_error(origin, t.source(), "a profile needs a name (a non-empty string)");
    p.name = *name_value;
    if (const Profile* dup = find(p.name))
      return config_error(
          origin, t["name"].node()->source(),
          fmt::format("profile \"{}\" is already defined at {}", p.name, dup->source));
    const std::string status = t["status"].value_or(std::string("active"));
    if (status == "active")
      p.status = ProfileStatus::active;
    else if (status == "deprecated")
      p.status = ProfileStatus::deprecated;
    else if (status == "retired")
      p.status = ProfileStatus::retired;
    else
      return config_error(
          origin, t["status"].node()->source(),
          fmt::format("status \"{}\" is not active, deprecated or retired", status));
    p.description = t["description"].value_or(std::string());
    if (auto e = read_strings(t, "requires", origin, p.requires_)) return *e;
    if (auto e = read_strings(t, "optional", origin, p.optional)) return *e;
    if (auto e = read_strings(t, "vmm_features", origin, p.vmm_features)) return *e;

    // A kernel emits one version of a family: a profile naming two is a
    // contradiction, not a choice.
    std::map<std::string, std::string> family_of;
    for (const char* key : {"requires", "optional"}) {
      const toml::array* arr = t.get_as<toml::array>(key);
      if (arr == nullptr) continue;
      for (const auto& item : *arr) {
        const std::string s = **item.as_string();
        const ParsedCompatible c = catalog.parse(s);
        if (!c.known)
          warnings_.push_back(
              {toml_position(origin, item.source()),
               fmt::format("profile {}: no catalog family knows \"{}\"", p.name, s)});
        const auto [it, fresh] = family_of.emplace(c.family, s);
        if (!fresh)
          return config_error(
              origin, item.source(),
              fmt::format("profile {} names two versions of {}: {} and {}; a kernel "
                          "emits only one",
                          p.name, c.family, it->second, s));
      }
    }
    profiles_.push_back(std::move(p));
  }
  return {};
}

void apply_profile(const Profile& profile, const Catalog& catalog, CheckPolicy& policy) {
  for (const auto* list : {&profile.requires_, &profile.optional}) {
    const bool required = list == &profile.requires_;
    for (const auto& s : *list) {
      const ParsedCompatible c = catalog.parse(s);
      if (!c.known) continue;
      FamilyUse& use = policy.uses[c.family];
      use.used_by.push_back("profile " + profile.name);
      use.required = required;
      if (const auto known = policy.pins.find(c.family);
          known != policy.pins.end() && component_key(known->second) != component_key(s))
        policy.conflicts[c.family] = {policy.pin_sources[c.family], known->second};
      policy.pins[c.family] = s;
      policy.pin_sources[c.family] = "profile " + profile.name;
      policy.demanded.insert(c.family);
    }
  }
  policy.uses_given = true;
}

ProfileVerdict judge_profile(const Profile& profile, const Catalog& catalog,
                             const KernelStrings& current, const KernelStrings& next,
                             const std::map<std::string, std::string>& host_pins) {
  ProfileVerdict v;
  v.profile = &profile;
  const auto problems = [&](const std::string& s, std::vector<Reason>& out) {
    const ParsedCompatible c = catalog.parse(s);
    if (!has(current, s))
      out.push_back({.code = ReasonCode::profile_not_emittable, .family = c.family, .string = s});
    if (const auto pin = host_pins.find(c.family);
        pin != host_pins.end() && component_key(pin->second) != component_key(s))
      out.push_back({.code = ReasonCode::profile_pinned_elsewhere,
                     .family = c.family,
                     .string = s,
                     .other = pin->second});
    if (!has(next, s))
      out.push_back({.code = ReasonCode::profile_not_understood, .family = c.family, .string = s});
  };
  for (const auto& s : profile.requires_) problems(s, v.reasons);
  for (const auto& s : profile.optional) problems(s, v.warnings);
  v.viable = v.reasons.empty();
  return v;
}

Selection select_profile(const ProfileSet& profiles, const Catalog& catalog,
                         const KernelStrings& current, const KernelStrings& next,
                         const std::map<std::string, std::string>& host_pins) {
  Selection out;
  for (const auto& p : profiles.profiles()) {
    ProfileVerdict v = judge_profile(p, catalog, current, next, host_pins);
    if (p.status == ProfileStatus::retired) {
      v.viable = false;
      v.reasons.insert(v.reasons.begin(), {.code = ReasonCode::profile_retired});
    }
    out.verdicts.push_back(std::move(v));
  }
  // Newest first: an active profile wins; a deprecated one only when no
  // active profile can carry the update.
  for (ProfileStatus wanted : {ProfileStatus::active, ProfileStatus::deprecated}) {
    for (auto it = out.verdicts.rbegin(); it != out.verdicts.rend() && !out.selected; ++it)
      if (it->viable && it->profile->status == wanted) out.selected = it->profile;
    if (out.selected) break;
  }
  return out;
}

std::vector<std::string> missing_for_kernel(const Profile& profile, const KernelStrings& kernel) {
  std::vector<std::string> missing;
  for (const auto& s : profile.requires_)
    if (!has(kernel, s)) missing.push_back(s);
  return missing;
}

}  // namespace lucompat
