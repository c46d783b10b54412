// Renderers for `lucompat profile`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lucompat/check/update_check.h"
#include "lucompat/policy/profile.h"

namespace lucompat {

nlohmann::json profile_json(const Profile& profile);
std::string profile_line(const Profile& profile);

// `profile list`: schema "lucompat.profiles/1".
nlohmann::json profiles_json(const ProfileSet& set, const std::vector<ConfigWarning>& warnings);
std::string profiles_text(const ProfileSet& set, const std::vector<ConfigWarning>& warnings);

// `profile select`: schema "lucompat.profile-select/2"; the choice is under "selected".
nlohmann::json selection_json(const Selection& selection, const UpdateInputs& inputs);
// `colour`: ANSI colours on viable and not viable.
std::string selection_text(const Selection& selection, const UpdateInputs& inputs,
                           bool colour = false);

// `profile matrix`: schema "lucompat.profile-matrix/2".
struct MatrixRow {
  KernelSide kernel;
  std::vector<std::vector<std::string>>
      missing;  // per profile: missing strings, empty if supported
};
struct Matrix {
  std::vector<const Profile*> profiles;
  std::vector<MatrixRow> rows;
  bool gate_passes = true;  // every kernel supports every active profile shown
  bool undecided = false;   // a kernel has no version set: nothing about it is proven
};
nlohmann::json matrix_json(const Matrix& matrix);
// `colour`: ANSI colours on each cell and on the gate's line.
std::string matrix_text(const Matrix& matrix, bool colour = false);

// `profile env`: shell (export lines), systemd (EnvironmentFile) or json.
std::string profile_env(const Profile& profile, const std::string& format);

}  // namespace lucompat
