// Profiles: named, versioned sets of compatible strings with a lifecycle,
// tied to the VMM features that need them. Operators pin a profile across a
// cluster instead of reasoning about each handler version per host.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lucompat/base/result.h"
#include "lucompat/catalog/catalog.h"
#include "lucompat/policy/check.h"

namespace lucompat {

enum class ProfileStatus { active, deprecated, retired };
std::string_view name(ProfileStatus s);

struct Profile {
  std::string name;
  ProfileStatus status = ProfileStatus::active;
  std::string description;
  std::vector<std::string> requires_;  // compatible strings that must carry over
  std::vector<std::string> optional;   // compatible strings whose loss is a warning
  std::vector<std::string> vmm_features;
  std::string source;  // "file:line"
};

struct ConfigWarning {
  std::string where;  // "file:line:col"
  std::string message;
};

// Profiles in definition order, oldest first: files in name order, then
// position in each file.
class ProfileSet {
 public:
  // Validates against the catalog: duplicate names and two versions of one
  // family in a profile are errors (a kernel emits one version of a family);
  // strings no catalog family knows are warnings.
  Result<void> add(std::string_view toml, const std::string& origin, const Catalog& catalog);

  const std::vector<Profile>& profiles() const { return profiles_; }
  const std::vector<ConfigWarning>& warnings() const { return warnings_; }
  const Profile* find(std::string_view name) const;

 private:
  std::vector<Profile> profiles_;
  std::vector<ConfigWarning> warnings_;
};

// The policy a profile imposes: its families are in use, pinned to its
// strings, required or optional as it says.
void apply_profile(const Profile& profile, const Catalog& catalog, CheckPolicy& policy);

// Whether a profile can carry this update: every required string can be
// emitted by the running kernel (in its table, not excluded by a host pin)
// and is understood by the next one. Missing optional strings are warnings.
struct ProfileVerdict {
  const Profile* profile = nullptr;
  bool viable = false;
  std::vector<Reason> reasons;   // why not viable
  std::vector<Reason> warnings;  // optional strings that will not carry over
};

ProfileVerdict judge_profile(const Profile& profile, const Catalog& catalog,
                             const KernelStrings& current, const KernelStrings& next,
                             const std::map<std::string, std::string>& host_pins);

struct Selection {
  std::vector<ProfileVerdict> verdicts;  // every profile, oldest first
  const Profile* selected = nullptr;     // newest viable active, else newest viable deprecated
};

Selection select_profile(const ProfileSet& profiles, const Catalog& catalog,
                         const KernelStrings& current, const KernelStrings& next,
                         const std::map<std::string, std::string>& host_pins);

// A kernel's support of a profile (the build gate): the strings of
// `requires` the kernel does not understand; empty when supported.
std::vector<std::string> missing_for_kernel(const Profile& profile, const KernelStrings& kernel);

}  // namespace lucompat
