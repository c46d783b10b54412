#include "lucompat/fleet/installed_check.h"

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "lucompat/base/file.h"
#include "lucompat/host/boot_entries.h"
#include "lucompat/policy/check.h"

namespace lucompat {

namespace {

// The plugin's ENTRY_ID is ENTRY_TOKEN-KERNEL_VERSION, the name of the
// type 1 entry kernel-install writes without its ".conf" (or a UKI's ".efi").
std::string entry_id(std::string id) {
  for (std::string_view suffix : {".conf", ".efi"})
    if (id.size() > suffix.size() && id.ends_with(suffix)) id.resize(id.size() - suffix.size());
  return id;
}

// A record is one check --json document; bounded as the boot files are.
constexpr uint64_t kMaxRecord = uint64_t{1} << 20;

}  // namespace

bool is_check_outcome(std::string_view verdict, int64_t exit_code) {
  constexpr int64_t kMaxExitCode = 255;
  if (exit_code < 0 || exit_code > kMaxExitCode) return false;
  if (verdict == "error") return true;
  for (const Verdict v :
       {Verdict::compatible, Verdict::warning, Verdict::undecided, Verdict::incompatible})
    if (verdict == json_name(v)) return true;
  return false;
}

Result<std::optional<InstalledCheck>> installed_check(const SystemRoot& root,
                                                      const std::string& state_dir,
                                                      const std::string& running_banner) {
  // No entry at all is nothing staged; an entry file that cannot be read is
  // an error, as for check --next-entry: another entry could be the default.
  LUCOMPAT_TRY(entries, load_boot_entries(root));
  std::string why;
  const auto chosen = default_boot_entry(entries->entries, entries->pointers, &why);
  if (!chosen) return std::optional<InstalledCheck>();
  InstalledCheck out;
  out.entry = entries->entries[*chosen].id;
  out.record = root.path(fmt::format("{}/kernel-install/{}.json", state_dir, entry_id(out.entry)));
  std::error_code ec;
  if (std::filesystem::symlink_status(out.record, ec).type() ==
      std::filesystem::file_type::not_found)
    return std::optional<InstalledCheck>();
  LUCOMPAT_TRY(file, read_file(out.record, kMaxRecord));
  const nlohmann::json doc = nlohmann::json::parse(as_chars(file->bytes()), nullptr, false);
  const auto string_at = [&](const char* key) -> const std::string* {
    const auto it = doc.is_object() ? doc.find(key) : doc.end();
    return it != doc.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  const std::string* verdict = string_at("verdict");
  const auto code = doc.is_object() ? doc.find("exit_code") : doc.end();
  if (verdict == nullptr || code == doc.end() || !code->is_number_integer() ||
      !is_check_outcome(*verdict, code->get<int64_t>()))
    return Error{ErrorKind::malformed, out.record, std::nullopt,
                 "not a lucompat check --json document (no verdict and exit_code)"};
  out.verdict = *verdict;
  out.exit_code = static_cast<int>(code->get<int64_t>());
  if (const std::string* s = string_at("summary")) out.summary = *s;
  if (const auto current = doc.find("current"); current != doc.end() && current->is_object())
    if (const auto banner = current->find("banner");
        banner != current->end() && banner->is_string())
      out.against_banner = banner->get<std::string>();
  out.against_running = !out.against_banner.empty() && out.against_banner == running_banner;
  if (const auto next = doc.find("next"); next != doc.end() && next->is_object())
    if (const auto banner = next->find("banner"); banner != next->end() && banner->is_string())
      out.next_banner = banner->get<std::string>();
  return std::optional<InstalledCheck>(std::move(out));
}

}  // namespace lucompat
